// Measures LoadavgSampler's cost with many containers on the real host: N real v1 cgroups
// (made by the calling script), T sleeping threads of this process in each, every container
// tracked through a /proc/loadavg render, then the time of Engine::sample_loadavg().
//
//   loadavg-cost HIERARCHY_DIR NAME_PATTERN N T SAMPLES
//
// The cgroups are HIERARCHY_DIR/<NAME_PATTERN with {} replaced by i> for i in [0, N). Prints one
// line per figure and exits 0 when every container is tracked and shows its T tasks.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "util/file.hpp"
#include "view/engine.hpp"

using namespace lensfs;

namespace {

struct Sleepers {
    std::mutex mutex;
    std::condition_variable done;
    bool stop = false;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};

    /// A thread that joins @p tasks_file and sleeps until stop().
    void spawn(const std::string& tasks_file, std::atomic<int>& ready) {
        threads.emplace_back([this, tasks_file, &ready] {
            auto tid = static_cast<pid_t>(::syscall(SYS_gettid));
            if (!write_file_atomic_like(tasks_file, std::to_string(tid))) {
                failures.fetch_add(1);
            }
            ready.fetch_add(1);
            std::unique_lock lock(mutex);
            done.wait(lock, [this] { return stop; });
        });
    }
    void stop_all() {
        {
            std::lock_guard lock(mutex);
            stop = true;
        }
        done.notify_all();
        for (auto& t : threads) {
            t.join();
        }
    }
    /// cgroup control files take one write(); no rename as write_file_atomic would do.
    static bool write_file_atomic_like(const std::string& path, const std::string& text) {
        FILE* f = std::fopen(path.c_str(), "w");
        if (f == nullptr) {
            return false;
        }
        bool ok = std::fputs(text.c_str(), f) >= 0;
        return std::fclose(f) == 0 && ok;
    }
};

/// Read system calls this thread has made so far (syscr of /proc/thread-self/io), a count
/// of the work done that does not depend on the machine's speed or load.
long long read_calls() {
    FILE* f = std::fopen("/proc/thread-self/io", "r");
    if (f == nullptr) {
        return -1;
    }
    long long value = -1;
    char key[32];
    long long v = 0;
    while (std::fscanf(f, "%31[^:]: %lld\n", key, &v) == 2) {
        if (std::string(key) == "syscr") {
            value = v;
        }
    }
    std::fclose(f);
    return value;
}

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::string name(const std::string& pattern, int i) {
    return fmt::format(fmt::runtime(pattern), i);
}

int run(const std::string& root, const std::string& pattern, int n, int t, int samples) {
    Sleepers sleepers;
    std::atomic<int> ready{0};
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < t; ++k) {
            sleepers.spawn(fmt::format("{}/{}/tasks", root, name(pattern, i)), ready);
        }
    }
    while (ready.load() < n * t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    int status = sleepers.failures.load() == 0 ? 0 : 1;
    auto layout = cgroup::Layout::discover();
    auto proc = host::HostProc::open("/proc");
    if (!layout || !proc) {
        std::fprintf(stderr, "cannot open the host's cgroups or /proc\n");
        sleepers.stop_all();
        return 1;
    }
    view::Engine engine(std::move(*layout), std::move(*proc), view::Options{});
    std::string out;
    for (int i = 0; i < n; ++i) {
        view::Container c = engine.resolve_cgroup("/" + name(pattern, i), 0);
        engine.render(*view::served_file("proc/loadavg"), c, out);
        if (out.find(fmt::format(" 0/{} ", t)) == std::string::npos) {
            std::fprintf(stderr, "container %d shows '%s'\n", i, out.c_str());
            status = 1;
        }
    }
    engine.sample_loadavg(); // warm: dentries and inodes of the cgroups and tasks
    // What reading the counter itself costs, to take it out of the figure.
    long long probe0 = read_calls();
    long long probe = read_calls() - probe0;
    double wall_total = 0, cpu_total = 0, wall_max = 0;
    long long reads_max = 0;
    for (int s = 0; s < samples; ++s) {
        auto start = std::chrono::steady_clock::now();
        double cpu0 = cpu_seconds();
        long long reads0 = read_calls();
        engine.sample_loadavg();
        long long reads = read_calls() - reads0 - probe;
        double cpu = cpu_seconds() - cpu0;
        reads_max = std::max(reads_max, reads);
        double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        wall_total += wall;
        cpu_total += cpu;
        wall_max = std::max(wall_max, wall);
    }
    std::size_t tracked = engine.loadavg_sampler().tracked();
    std::printf("containers %d, threads each %d, tracked %zu\n", n, t, tracked);
    std::printf("sample() wall: mean %.0f us, max %.0f us; cpu: mean %.0f us per call\n",
                wall_total / samples * 1e6, wall_max * 1e6, cpu_total / samples * 1e6);
    std::printf("read calls: at most %lld per call\n", reads_max);
    std::printf("per container: %.1f us cpu; share of one CPU at one call per 5 s: %.3f%%\n",
                cpu_total / samples / n * 1e6, cpu_total / samples / 5.0 * 100);
    sleepers.stop_all();
    return tracked == static_cast<std::size_t>(n) ? status : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s HIERARCHY_DIR NAME_PATTERN N T SAMPLES\n", argv[0]);
        return 2;
    }
    try {
        return run(argv[1], argv[2], std::stoi(argv[3]), std::stoi(argv[4]), std::stoi(argv[5]));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "loadavg-cost: %s\n", e.what());
        return 1;
    }
}
