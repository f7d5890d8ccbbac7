// ttread: reads one lensfs file in a loop across daemon takeovers and reports what a reader
// saw. A helper of the takeover tests.
//
//   ttread reopen PATH SECONDS [EXPECT_KB]   open, read to EOF, close, every 2 ms
//   ttread kept PATH SECONDS                  one open kept; lseek 0 + read every 2 ms (a
//                                             /proc/uptime reader: the first number must move)
//
// Prints one line: "ttread MODE reads=N failures=F max_gap_ms=G wrong=W stale=S errors=..."
// failures: reads that failed (errors lists them by errno name); max_gap_ms: the longest time
// between two good reads; wrong: a meminfo text whose MemTotal is not EXPECT_KB (or without
// one); stale: kept reads whose uptime did not move for more than 500 ms.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

struct Report {
    unsigned long reads = 0;
    unsigned long failures = 0;
    unsigned long wrong = 0;
    unsigned long stale = 0;
    double max_gap_ms = 0;
    std::map<std::string, unsigned long> errors;
};

bool read_all(int fd, std::string& out, int& err) {
    char buf[65536];
    out.clear();
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            err = errno;
            return false;
        }
        if (n == 0) {
            return true;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

bool meminfo_ok(std::string_view text, long expect) {
    auto pos = text.find("MemTotal:");
    if (pos == std::string_view::npos) {
        return false;
    }
    return std::strtol(std::string(text.substr(pos + 9, 32)).c_str(), nullptr, 10) == expect;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fputs("usage: ttread reopen|kept PATH SECONDS [EXPECT_KB]\n", stderr);
        return 2;
    }
    std::string_view mode = argv[1];
    const char* path = argv[2];
    auto seconds = std::chrono::duration<double>(std::strtod(argv[3], nullptr));
    long expect = argc > 4 ? std::strtol(argv[4], nullptr, 10) : 0;
    bool kept = mode == "kept";
    int fd = kept ? ::open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (kept && fd < 0) {
        std::perror("ttread: open");
        return 2;
    }
    Report r;
    auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(seconds);
    auto last_good = Clock::now();
    auto last_move = Clock::now();
    double last_uptime = -1;
    std::string text;
    while (Clock::now() < end) {
        int err = 0;
        bool ok = false;
        if (kept) {
            ok = ::lseek(fd, 0, SEEK_SET) == 0 && read_all(fd, text, err);
            err = ok ? 0 : (err != 0 ? err : errno);
        } else {
            int f = ::open(path, O_RDONLY | O_CLOEXEC);
            ok = f >= 0 && read_all(f, text, err);
            err = f < 0 ? errno : err;
            if (f >= 0) {
                ::close(f);
            }
        }
        auto now = Clock::now();
        ++r.reads;
        if (!ok) {
            ++r.failures;
            ++r.errors[strerrorname_np(err) ? strerrorname_np(err) : "?"];
        } else {
            double gap = std::chrono::duration<double, std::milli>(now - last_good).count();
            r.max_gap_ms = std::max(r.max_gap_ms, gap);
            last_good = now;
            if (expect != 0 && !meminfo_ok(text, expect)) {
                ++r.wrong;
            }
            if (kept) {
                double up = std::strtod(text.c_str(), nullptr);
                if (up != last_uptime) {
                    last_uptime = up;
                    last_move = now;
                } else if (now - last_move > std::chrono::milliseconds(500)) {
                    ++r.stale;
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::string errors;
    for (const auto& [name, n] : r.errors) {
        errors += (errors.empty() ? "" : ",") + name + ":" + std::to_string(n);
    }
    std::printf("ttread %s reads=%lu failures=%lu max_gap_ms=%.0f wrong=%lu stale=%lu errors=%s\n",
                std::string(mode).c_str(), r.reads, r.failures, r.max_gap_ms, r.wrong, r.stale,
                errors.empty() ? "-" : errors.c_str());
    return 0;
}
