#include "bench_options.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include <getopt.h>

#include <fmt/format.h>

namespace lensfs::bench {

namespace {

constexpr std::uint64_t kMaxBuffer = 64u << 20;
constexpr std::uint64_t kMaxThreads = 1024;
constexpr double kMaxDuration = 3600.0;

void usage(std::FILE* to) {
    fmt::print(to, "usage: lensfs-bench [OPTIONS] FILE...\n"
                   "Measures open + read-to-EOF + close latency of each FILE in turn.\n\n"
                   "  -t, --threads N       concurrent readers, started together (default 1)\n"
                   "  -d, --duration S      seconds to measure per file (default 5)\n"
                   "  -n, --iterations N    ops per thread instead of a duration\n"
                   "  -w, --warmup N        unmeasured ops per thread first (default 100)\n"
                   "  -b, --buffer BYTES    read() size; reads repeat until EOF (default 65536)\n"
                   "  -T, --timeout S       exit 3 if a file's run lasts longer (default:\n"
                   "                        duration * 2 + 10; none with --iterations)\n"
                   "  -j, --json            one JSON object per file (latencies in ns)\n"
                   "  -h, --help            this text\n");
}

bool parse_u64(const char* s, std::uint64_t min, std::uint64_t max, std::uint64_t& out) {
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || *s == '-' || v < min || v > max) {
        return false;
    }
    out = v;
    return true;
}

bool parse_seconds(const char* s, double& out) {
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > kMaxDuration) {
        return false;
    }
    out = v;
    return true;
}

// Applies one option; false means a bad value.
bool apply_option(int c, const char* arg, Options& opt, bool& have_duration) {
    std::uint64_t v = 0;
    switch (c) {
    case 't':
        if (!parse_u64(arg, 1, kMaxThreads, v)) {
            return false;
        }
        opt.threads = static_cast<unsigned>(v);
        return true;
    case 'd':
        have_duration = true;
        return parse_seconds(arg, opt.duration_s);
    case 'n':
        return parse_u64(arg, 1, UINT64_MAX, opt.iterations);
    case 'w':
        return parse_u64(arg, 0, UINT64_MAX, opt.warmup);
    case 'b':
        if (!parse_u64(arg, 1, kMaxBuffer, v)) {
            return false;
        }
        opt.buffer = static_cast<std::size_t>(v);
        return true;
    case 'T':
        return parse_seconds(arg, opt.timeout_s);
    case 'j':
        opt.json = true;
        return true;
    default:
        return false;
    }
}

} // namespace

int parse_args(int argc, char** argv, Options& opt) {
    static const option kLong[] = {{"threads", required_argument, nullptr, 't'},
                                   {"duration", required_argument, nullptr, 'd'},
                                   {"iterations", required_argument, nullptr, 'n'},
                                   {"warmup", required_argument, nullptr, 'w'},
                                   {"buffer", required_argument, nullptr, 'b'},
                                   {"timeout", required_argument, nullptr, 'T'},
                                   {"json", no_argument, nullptr, 'j'},
                                   {"help", no_argument, nullptr, 'h'},
                                   {nullptr, 0, nullptr, 0}};
    bool have_duration = false;
    int c = 0;
    // getopt_long is not thread-safe; it runs before any reader thread exists.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    while ((c = getopt_long(argc, argv, "t:d:n:w:b:T:jh", kLong, nullptr)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == '?' || !apply_option(c, optarg, opt, have_duration)) {
            if (c != '?') {
                fmt::print(stderr, "lensfs-bench: bad value for -{}: '{}'\n", char(c), optarg);
            }
            usage(stderr);
            return 2;
        }
    }
    if (have_duration && opt.iterations > 0) {
        fmt::print(stderr, "lensfs-bench: --duration and --iterations exclude each other\n");
        return 2;
    }
    opt.files.assign(argv + optind, argv + argc);
    if (opt.files.empty()) {
        usage(stderr);
        return 2;
    }
    return -1;
}

} // namespace lensfs::bench
