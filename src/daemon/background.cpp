#include "daemon/background.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <pthread.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "util/unique_fd.hpp"

namespace lensfs::daemon {

namespace {

constexpr long kFuseSuperMagic = 0x65735546;
constexpr std::chrono::milliseconds kPollInterval{10};

bool fuse_mounted(const std::string& path) {
    struct statfs fs {};
    return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == kFuseSuperMagic;
}

void redirect_to_null(int fd) {
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (null) {
        ::dup2(null.get(), fd);
    }
}

// The parent: exits 0 once the child reports the mount, else with the child's status.
[[noreturn]] void wait_for_child(pid_t child, UniqueFd ready) {
    char byte = 0;
    ssize_t n = 0;
    do {
        n = ::read(ready.get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n == 1) {
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

// In the child: waits for the mount, then lets the parent go.
void report_when_mounted(const std::string& mountpoint, int ready) {
    while (!fuse_mounted(mountpoint)) {
        std::this_thread::sleep_for(kPollInterval);
    }
    redirect_to_null(STDERR_FILENO);
    char byte = 1;
    (void)!::write(ready, &byte, 1);
    ::close(ready);
}

} // namespace

void detach(const std::string& mountpoint) {
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        std::perror("lensfs: pipe");
        ::_exit(1);
    }
    UniqueFd read_end(fds[0]);
    pid_t child = ::fork();
    if (child < 0) {
        std::perror("lensfs: fork");
        ::_exit(1);
    }
    if (child > 0) {
        ::close(fds[1]);
        wait_for_child(child, std::move(read_end));
    }
    read_end.reset();
    ::setsid();
    (void)!::chdir("/");
    redirect_to_null(STDIN_FILENO);
    redirect_to_null(STDOUT_FILENO);
    // The watcher blocks every signal: SIGTERM and SIGINT belong to the FUSE loop.
    sigset_t all{};
    sigset_t old{};
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    try {
        std::thread(report_when_mounted, mountpoint, fds[1]).detach();
    } catch (...) {
        // No watcher: let the parent go now rather than never.
        char byte = 1;
        (void)!::write(fds[1], &byte, 1);
        ::close(fds[1]);
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

} // namespace lensfs::daemon
