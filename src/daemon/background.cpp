#include "daemon/background.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lensfs::daemon {

namespace {

void redirect_to_null(int fd) {
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (null) {
        ::dup2(null.get(), fd);
    }
}

// The parent: exits 0 once the child reports, else with the child's status.
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

} // namespace

UniqueFd detach() {
    int fds[2] = {-1, -1};
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        std::perror("lensfs: pipe");
        ::_exit(1);
    }
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    pid_t child = ::fork();
    if (child < 0) {
        std::perror("lensfs: fork");
        ::_exit(1);
    }
    if (child > 0) {
        write_end.reset();
        wait_for_child(child, std::move(read_end));
    }
    read_end.reset();
    ::setsid();
    (void)!::chdir("/");
    redirect_to_null(STDIN_FILENO);
    redirect_to_null(STDOUT_FILENO);
    return write_end;
}

void report_ready(UniqueFd& ready) {
    if (!ready) {
        return;
    }
    redirect_to_null(STDERR_FILENO);
    char byte = 1;
    (void)!::write(ready.get(), &byte, 1);
    ready.reset();
}

} // namespace lensfs::daemon
