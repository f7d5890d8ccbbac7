// resload: a crowd of readers for the resource tests. Forks PROCS processes; each opens, reads
// to the end and closes every FILE in turn until SECONDS have passed.
//
//   resload PROCS SECONDS FILE...
//
// Prints "resload reads=N failures=F" and exits 1 when any read failed.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Tally {
    unsigned long reads;
    unsigned long failures;
};

bool read_file(const char* path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    char buf[65536];
    bool ok = true;
    std::size_t total = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            ok = false;
            break;
        }
        if (n == 0) {
            break;
        }
        total += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return ok && total > 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: resload PROCS SECONDS FILE...\n");
        return 2;
    }
    int procs = std::atoi(argv[1]);
    double seconds = std::atof(argv[2]);
    if (procs <= 0 || procs > 4096 || !(seconds > 0)) {
        std::fprintf(stderr, "resload: bad PROCS or SECONDS\n");
        return 2;
    }
    // One tally per child in shared memory.
    void* mem = ::mmap(nullptr, sizeof(Tally) * static_cast<std::size_t>(procs),
                       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        std::perror("resload: mmap");
        return 2;
    }
    auto* tallies = static_cast<Tally*>(mem);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(seconds));
    std::vector<pid_t> children;
    for (int i = 0; i < procs; ++i) {
        pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("resload: fork");
            break;
        }
        if (pid == 0) {
            Tally t{0, 0};
            while (std::chrono::steady_clock::now() < deadline) {
                for (int f = 3; f < argc; ++f) {
                    ++t.reads;
                    if (!read_file(argv[f])) {
                        ++t.failures;
                    }
                }
            }
            tallies[i] = t;
            ::_exit(0);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    Tally sum{0, 0};
    for (std::size_t i = 0; i < children.size(); ++i) {
        sum.reads += tallies[i].reads;
        sum.failures += tallies[i].failures;
    }
    std::printf("resload reads=%lu failures=%lu\n", sum.reads, sum.failures);
    return sum.failures == 0 && static_cast<int>(children.size()) == procs ? 0 : 1;
}
