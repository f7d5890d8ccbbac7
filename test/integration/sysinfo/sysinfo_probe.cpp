// What sysinfo(2) tells the process that calls it; for the sysinfo tests, built static so
// that it runs in a busybox container.
//
//   sysinfo-probe              one call: "uptime=... totalram=... (bytes) ... procs=..."
//   sysinfo-probe bench N      N calls: "median_ns=... p90_ns=..."
//   sysinfo-probe watch SECS   a call every 5 ms for SECS: "calls=... failures=... errno=..."

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/sysinfo.h>
#include <ctime>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int by_value(const void* a, const void* b) {
    long long x = *(const long long*)a, y = *(const long long*)b;
    return (x > y) - (x < y);
}

static int one(void) {
    struct sysinfo si;
    if (sysinfo(&si) != 0) {
        printf("error=%d\n", errno);
        return 1;
    }
    unsigned long long u = si.mem_unit;
    printf("uptime=%ld totalram=%llu freeram=%llu sharedram=%llu bufferram=%llu "
           "totalswap=%llu freeswap=%llu procs=%u load1=%lu load5=%lu load15=%lu mem_unit=%u\n",
           si.uptime, si.totalram * u, si.freeram * u, si.sharedram * u, si.bufferram * u,
           si.totalswap * u, si.freeswap * u, (unsigned)si.procs, si.loads[0], si.loads[1],
           si.loads[2], si.mem_unit);
    return 0;
}

static int bench(long n) {
    auto* t = static_cast<long long*>(calloc(static_cast<size_t>(n), sizeof(long long)));
    struct sysinfo si;
    if (t == NULL || n < 1) {
        return 2;
    }
    for (long i = 0; i < n; i++) {
        long long start = now_ns();
        if (sysinfo(&si) != 0) {
            printf("error=%d\n", errno);
            return 1;
        }
        t[i] = now_ns() - start;
    }
    qsort(t, (size_t)n, sizeof(*t), by_value);
    printf("median_ns=%lld p90_ns=%lld calls=%ld\n", t[n / 2], t[n * 9 / 10], n);
    return 0;
}

static int watch(long seconds) {
    long long end = now_ns() + seconds * 1000000000LL;
    long calls = 0, failures = 0;
    int last_errno = 0;
    long long slowest = 0;
    struct sysinfo si;
    while (now_ns() < end) {
        long long start = now_ns();
        if (sysinfo(&si) != 0) {
            failures++;
            last_errno = errno;
        }
        long long took = now_ns() - start;
        slowest = took > slowest ? took : slowest;
        calls++;
        usleep(5000);
    }
    printf("calls=%ld failures=%ld errno=%d slowest_ms=%lld\n", calls, failures, last_errno,
           slowest / 1000000);
    return failures == 0 ? 0 : 1;
}

int main(int argc, char** argv) {
    if (argc == 1) {
        return one();
    }
    if (argc == 3 && strcmp(argv[1], "bench") == 0) {
        return bench(atol(argv[2]));
    }
    if (argc == 3 && strcmp(argv[1], "watch") == 0) {
        return watch(atol(argv[2]));
    }
    fprintf(stderr, "usage: sysinfo-probe [bench N | watch SECONDS]\n");
    return 2;
}
