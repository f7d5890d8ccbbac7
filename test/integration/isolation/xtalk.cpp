// xtalk: reads one meminfo file in a loop with one access pattern and checks every read's
// MemTotal. A helper of the isolation tests.
//
//   xtalk MODE PATH EXPECT_KB SECONDS
//
// Readers (each read checked against EXPECT_KB):
//   read      open, read(2) to EOF, close
//   pread     one open kept, pread(2) from offset 0 again and again
//   sendfile  open, sendfile(2) into a pipe to EOF, close; on an error, read(2) as busybox does
//   splice    open, splice(2) into a pipe to EOF, close; on an error, read(2)
// Attackers (what they manage to see through the page cache is checked against EXPECT_KB, their
// own limit; anything else is another container's text):
//   mmap      open twice, close the first, mmap(MAP_PRIVATE) + madvise(WILLNEED) the second
//             and read the mapping (SIGBUS counts as refused)
//   fadvise   posix_fadvise(WILLNEED) + readahead(2), then peek with splice; fadvise(DONTNEED)
//
// Prints one line: "xtalk MODE reads=N wrong=W bad=B refused=R errors=E" where wrong is a
// MemTotal other than EXPECT_KB, bad a text without a MemTotal line, refused a page-cache access
// the daemon refused. Exit 0 when the loop ran, 2 on usage errors.
#include <cerrno>
#include <chrono>
#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <unistd.h>

namespace {

constexpr std::size_t kBuf = 65536;

struct Counts {
    unsigned long reads = 0;
    unsigned long wrong = 0;
    unsigned long bad = 0;
    unsigned long refused = 0;
    unsigned long errors = 0;
};

Counts g_counts;
long g_expect = 0;
std::string g_first_wrong;

void check(std::string_view text) {
    ++g_counts.reads;
    auto pos = text.find("MemTotal:");
    if (pos == std::string_view::npos || (pos != 0 && text[pos - 1] != '\n')) {
        ++g_counts.bad;
        return;
    }
    long kb = std::strtol(std::string(text.substr(pos + 9, 32)).c_str(), nullptr, 10);
    if (kb != g_expect) {
        if (g_counts.wrong++ == 0) {
            g_first_wrong = std::string(text.substr(pos, text.find('\n', pos) - pos));
        }
    }
}

bool read_rest(int fd, std::string& out) {
    char buf[kBuf];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return false;
        }
        if (n == 0) {
            return true;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

void drain_pipe(int fd, std::string& out) {
    char buf[kBuf];
    ssize_t n = 0;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) {
        out.append(buf, static_cast<std::size_t>(n));
    }
}

void do_read(const char* path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    std::string text;
    if (fd < 0 || !read_rest(fd, text)) {
        ++g_counts.errors;
    } else {
        check(text);
    }
    if (fd >= 0) {
        ::close(fd);
    }
}

void do_pread(int fd) {
    char buf[kBuf];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    if (n < 0) {
        ++g_counts.errors;
        return;
    }
    check(std::string_view(buf, static_cast<std::size_t>(n)));
}

// Through a pipe with sendfile or splice; an error before any byte falls back to read(2).
void do_pipe(const char* path, bool use_splice) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    int p[2];
    if (fd < 0 || ::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        ++g_counts.errors;
        if (fd >= 0) {
            ::close(fd);
        }
        return;
    }
    std::string text;
    bool failed = false;
    for (;;) {
        ssize_t n = use_splice ? ::splice(fd, nullptr, p[1], nullptr, kBuf, 0)
                               : ::sendfile(p[1], fd, nullptr, kBuf);
        if (n > 0) {
            drain_pipe(p[0], text);
            continue;
        }
        if (n < 0 && text.empty()) {
            ++g_counts.refused;
            failed = !read_rest(fd, text);
        } else if (n < 0) {
            failed = true;
        }
        break;
    }
    if (failed) {
        ++g_counts.errors;
    } else {
        check(text);
    }
    ::close(p[0]);
    ::close(p[1]);
    ::close(fd);
}

sigjmp_buf g_jump;
void on_sigbus(int) {
    siglongjmp(g_jump, 1);
}

void do_mmap(const char* path) {
    int first = ::open(path, O_RDONLY | O_CLOEXEC);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (first >= 0) {
        ::close(first);
    }
    if (fd < 0) {
        ++g_counts.errors;
        return;
    }
    void* map = ::mmap(nullptr, kBuf, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        ++g_counts.refused;
        ::close(fd);
        return;
    }
    ::madvise(map, kBuf, MADV_WILLNEED);
    std::string text;
    if (sigsetjmp(g_jump, 1) == 0) {
        const char* c = static_cast<const char*>(map);
        std::size_t n = ::strnlen(c, 4096); // the first page: meminfo fits in it
        text.assign(c, n);
        check(text);
    } else {
        ++g_counts.refused;
    }
    ::munmap(map, kBuf);
    ::close(fd);
}

void do_fadvise(const char* path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ++g_counts.errors;
        return;
    }
    ::posix_fadvise(fd, 0, kBuf, POSIX_FADV_WILLNEED);
    ::readahead(fd, 0, kBuf);
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0) {
        std::string text;
        ssize_t n = ::splice(fd, nullptr, p[1], nullptr, kBuf, 0);
        if (n > 0) {
            drain_pipe(p[0], text);
            check(text);
        } else {
            ++g_counts.refused;
        }
        ::close(p[0]);
        ::close(p[1]);
    }
    ::posix_fadvise(fd, 0, kBuf, POSIX_FADV_DONTNEED);
    ::close(fd);
}

int usage() {
    std::fputs("usage: xtalk read|pread|sendfile|splice|mmap|fadvise PATH EXPECT_KB SECONDS\n",
               stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        return usage();
    }
    std::string_view mode = argv[1];
    const char* path = argv[2];
    g_expect = std::strtol(argv[3], nullptr, 10);
    double seconds = std::strtod(argv[4], nullptr);
    if (g_expect <= 0 || seconds <= 0) {
        return usage();
    }
    struct sigaction sa {};
    sa.sa_handler = on_sigbus;
    ::sigaction(SIGBUS, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    int kept = mode == "pread" ? ::open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (mode == "pread" && kept < 0) {
        std::perror("xtalk: open");
        return 2;
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(seconds));
    while (std::chrono::steady_clock::now() < deadline) {
        if (mode == "read") {
            do_read(path);
        } else if (mode == "pread") {
            do_pread(kept);
        } else if (mode == "sendfile" || mode == "splice") {
            do_pipe(path, mode == "splice");
        } else if (mode == "mmap") {
            do_mmap(path);
        } else if (mode == "fadvise") {
            do_fadvise(path);
        } else {
            return usage();
        }
    }
    std::printf("xtalk %s reads=%lu wrong=%lu bad=%lu refused=%lu errors=%lu%s%s\n",
                std::string(mode).c_str(), g_counts.reads, g_counts.wrong, g_counts.bad,
                g_counts.refused, g_counts.errors,
                g_first_wrong.empty() ? "" : " first-wrong=", g_first_wrong.c_str());
    return 0;
}
