// lensfs-bench: latency of open + read-to-EOF + close of files, from N threads at once.
//
// Stand-alone on purpose (only fmt and threads): it must measure the kernel's /proc and
// LXCFS exactly as it measures lensfs, so it shares no code with the daemon.

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "bench_options.hpp"

namespace {

using lensfs::bench::Options;

// Upper guess of ops/s one CPU can complete on /proc; sizes the latency vectors so that
// the measured loop never reallocates in the common case.
constexpr double kReserveOpsPerCpuSecond = 400'000.0;
constexpr std::size_t kMaxReservePerThread = 32u << 20;

struct ThreadResult {
    std::vector<std::uint64_t> latencies_ns; // first `recorded` entries are valid
    std::uint64_t recorded = 0;
    std::uint64_t errors = 0;
    std::uint64_t bytes = 0;
    int first_errno = 0;
    std::uint64_t end_ns = 0;
};

// Lets the main thread give up on readers stuck in a hung file system, so a run always ends.
struct Finish {
    std::mutex mutex;
    std::condition_variable done;
    unsigned finished = 0;

    void arrive() {
        std::lock_guard lock(mutex);
        ++finished;
        done.notify_one();
    }
};

struct Summary {
    std::string file;
    unsigned threads = 0;
    std::uint64_t ops = 0;
    std::uint64_t errors = 0;
    double wall_s = 0;
    double ops_per_s = 0;
    double bytes_per_op = 0;
    std::uint64_t p50 = 0, p90 = 0, p99 = 0, max = 0;
    int first_errno = 0;
};

std::uint64_t now_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

// The measured operation. Returns the bytes read, or -errno. A failing close() counts:
// through FUSE it carries the FLUSH reply.
std::int64_t open_read_close(const char* path, char* buf, std::size_t size) noexcept {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    std::int64_t total = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf, size);
        if (n > 0) {
            total += n;
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            int err = errno;
            ::close(fd);
            return -err;
        }
    }
    if (::close(fd) != 0) {
        return -errno;
    }
    return total;
}

std::size_t reserve_per_thread(const Options& opt) {
    if (opt.iterations > 0) {
        return static_cast<std::size_t>(
            std::min<std::uint64_t>(opt.iterations, kMaxReservePerThread));
    }
    double cpus = std::max(1u, std::thread::hardware_concurrency());
    double total = opt.duration_s * kReserveOpsPerCpuSecond * cpus;
    auto per_thread = static_cast<std::size_t>(total / opt.threads) + 1024;
    return std::min(per_thread, kMaxReservePerThread);
}

void record(ThreadResult& r, std::int64_t outcome, std::uint64_t latency) {
    if (outcome < 0) {
        if (r.errors++ == 0) {
            r.first_errno = static_cast<int>(-outcome);
        }
        return;
    }
    if (r.recorded == r.latencies_ns.size()) {
        r.latencies_ns.resize(r.latencies_ns.size() * 2); // rare; outside the timed span
    }
    r.latencies_ns[r.recorded++] = latency;
    r.bytes += static_cast<std::uint64_t>(outcome);
}

template <typename Barrier>
void run_worker(const Options& opt, const std::string& file, Barrier& start,
                const std::atomic<std::uint64_t>& start_ns, ThreadResult& r) {
    std::vector<char> buf(opt.buffer);
    r.latencies_ns.assign(reserve_per_thread(opt), 0); // touch the pages before timing
    for (std::uint64_t i = 0; i < opt.warmup; ++i) {
        open_read_close(file.c_str(), buf.data(), buf.size());
    }
    start.arrive_and_wait();
    const std::uint64_t deadline =
        start_ns.load() + static_cast<std::uint64_t>(opt.duration_s * 1e9);
    for (std::uint64_t i = 0;; ++i) {
        if (opt.iterations > 0 && i >= opt.iterations) {
            break;
        }
        std::uint64_t t0 = now_ns();
        std::int64_t outcome = open_read_close(file.c_str(), buf.data(), buf.size());
        std::uint64_t t1 = now_ns();
        record(r, outcome, t1 - t0);
        if (opt.iterations == 0 && t1 >= deadline) {
            break;
        }
    }
    r.end_ns = now_ns();
}

double timeout_of(const Options& opt) {
    if (opt.timeout_s > 0) {
        return opt.timeout_s;
    }
    return opt.iterations > 0 ? 0 : opt.duration_s * 2 + 10;
}

// Waits for every worker; false when the timeout passed first.
bool wait_workers(const Options& opt, Finish& finish) {
    std::unique_lock lock(finish.mutex);
    auto all_done = [&] { return finish.finished == opt.threads; };
    double timeout = timeout_of(opt);
    if (timeout <= 0) {
        finish.done.wait(lock, all_done);
        return true;
    }
    auto limit = std::chrono::duration<double>(timeout);
    return finish.done.wait_for(lock, limit, all_done);
}

// Nearest-rank percentile of a sorted, non-empty vector.
std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p) {
    auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

Summary summarize(const std::string& file, unsigned threads, std::uint64_t start_ns,
                  std::vector<ThreadResult>& results) {
    Summary s;
    s.file = file;
    s.threads = threads;
    std::vector<std::uint64_t> all;
    std::uint64_t end_ns = start_ns;
    for (ThreadResult& r : results) {
        all.insert(all.end(), r.latencies_ns.begin(),
                   r.latencies_ns.begin() + static_cast<std::ptrdiff_t>(r.recorded));
        r.latencies_ns = {};
        s.errors += r.errors;
        s.bytes_per_op += static_cast<double>(r.bytes);
        s.first_errno = s.first_errno != 0 ? s.first_errno : r.first_errno;
        end_ns = std::max(end_ns, r.end_ns);
    }
    s.ops = all.size();
    s.wall_s = static_cast<double>(end_ns - start_ns) / 1e9;
    s.ops_per_s = s.wall_s > 0 ? static_cast<double>(s.ops) / s.wall_s : 0;
    s.bytes_per_op = s.ops > 0 ? s.bytes_per_op / static_cast<double>(s.ops) : 0;
    if (!all.empty()) {
        std::sort(all.begin(), all.end());
        s.p50 = percentile(all, 50);
        s.p90 = percentile(all, 90);
        s.p99 = percentile(all, 99);
        s.max = all.back();
    }
    return s;
}

Summary bench_file(const Options& opt, const std::string& file) {
    std::atomic<std::uint64_t> start_ns{0};
    // The completion step runs once, after every thread has warmed up and before any starts.
    std::barrier start(static_cast<std::ptrdiff_t>(opt.threads),
                       [&start_ns]() noexcept { start_ns.store(now_ns()); });
    std::vector<ThreadResult> results(opt.threads);
    Finish finish;
    std::vector<std::thread> workers;
    workers.reserve(opt.threads);
    for (unsigned t = 0; t < opt.threads; ++t) {
        workers.emplace_back([&, t] {
            run_worker(opt, file, start, start_ns, results[t]);
            finish.arrive();
        });
    }
    if (!wait_workers(opt, finish)) {
        fmt::print(stderr, "lensfs-bench: {}: readers still blocked after {:.0f} s; giving up\n",
                   file, timeout_of(opt));
        std::fflush(stdout);
        std::_Exit(3);
    }
    for (std::thread& w : workers) {
        w.join();
    }
    return summarize(file, opt.threads, start_ns.load(), results);
}

std::string error_text(int err) {
    char buf[128];
    return ::strerror_r(err, buf, sizeof buf); // GNU variant: returns the text
}

std::string json_escape(std::string_view in) {
    std::string out;
    for (char c : in) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    return out;
}

void print_json(const Summary& s, const Options& opt) {
    fmt::print("{{\"file\":\"{}\",\"threads\":{},\"buffer\":{},\"wall_s\":{:.6f},\"ops\":{},"
               "\"errors\":{},\"ops_per_s\":{:.1f},\"bytes_per_op\":{:.1f},\"p50_ns\":{},"
               "\"p90_ns\":{},\"p99_ns\":{},\"max_ns\":{},\"first_error\":\"{}\"}}\n",
               json_escape(s.file), s.threads, opt.buffer, s.wall_s, s.ops, s.errors, s.ops_per_s,
               s.bytes_per_op, s.p50, s.p90, s.p99, s.max,
               s.first_errno != 0 ? json_escape(error_text(s.first_errno)) : "");
}

void print_text_header() {
    fmt::print("{:<40} {:>4} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11} {:>7}\n", "file", "thr", "ops",
               "p50 us", "p90 us", "p99 us", "max us", "ops/s", "errors");
}

void print_text(const Summary& s) {
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e3; };
    fmt::print("{:<40} {:>4} {:>10} {:>9.1f} {:>9.1f} {:>9.1f} {:>9.1f} {:>11.0f} {:>7}\n", s.file,
               s.threads, s.ops, us(s.p50), us(s.p90), us(s.p99), us(s.max), s.ops_per_s, s.errors);
    if (s.errors > 0) {
        fmt::print("  first error: {}\n", error_text(s.first_errno));
    }
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    if (int code = lensfs::bench::parse_args(argc, argv, opt); code >= 0) {
        return code;
    }
    if (!opt.json) {
        print_text_header();
    }
    bool any_error = false;
    for (const std::string& file : opt.files) {
        Summary s = bench_file(opt, file);
        any_error = any_error || s.errors > 0;
        if (opt.json) {
            print_json(s, opt);
        } else {
            print_text(s);
        }
        std::fflush(stdout);
    }
    return any_error ? 1 : 0;
}
