// readpat: reads a file with every pattern programs use on procfs and checks that the answers
// agree with each other. A helper of the integration tests; it prints what it read on failure.
//
//   readpat cat PATH [BUFSIZE]   read to EOF with BUFSIZE-byte reads, copy to stdout
//   readpat check PATH           run every pattern; exit 1 on the first class of mismatch
//
// Reads follow procfs's seq_file: a read at offset 0 of an open file that was already read
// renders the text again, a read at any other offset continues the text rendered last, one
// read call never mixes two renderings. Some files (uptime, stat) change from rendering to
// rendering, so exact comparisons are only made within one rendering; across renderings only
// the shape of the text (its lines with numbers blanked) is compared.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

int g_failures = 0;

void fail(std::string_view what, std::string_view detail = {}) {
    ++g_failures;
    fmt::print(stderr, "readpat: FAIL: {}\n", what);
    if (!detail.empty()) {
        fmt::print(stderr, "{}\n", detail);
    }
}

/// Shows up to 400 bytes of @p text, escaping what is not printable.
std::string excerpt(std::string_view text) {
    std::string out;
    for (char ch : text.substr(0, 400)) {
        if (ch == '\n' || (ch >= 0x20 && ch < 0x7f) || ch == '\t') {
            out.push_back(ch);
        } else {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(ch));
        }
    }
    if (text.size() > 400) {
        out += fmt::format("... ({} bytes in all)", text.size());
    }
    return out;
}

Fd open_ro(const char* path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fmt::print(stderr, "readpat: cannot open {}: {}\n", path, std::strerror(errno));
        std::exit(2);
    }
    return Fd(fd);
}

/// Reads from the current offset to EOF with @p bufsize-byte read(2) calls.
bool read_to_eof(int fd, std::size_t bufsize, std::string& out, std::size_t* calls = nullptr) {
    std::vector<char> buf(bufsize);
    out.clear();
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail(fmt::format("read({} bytes) at offset {}: {}", bufsize, out.size(),
                             std::strerror(errno)));
            return false;
        }
        if (calls) {
            ++*calls;
        }
        if (n == 0) {
            return true;
        }
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
}

/// pread(2) of up to @p len bytes at @p off into @p out; false (and a failure) on error.
bool pread_at(int fd, off_t off, std::size_t len, std::string& out) {
    out.assign(len, '\0');
    ssize_t n = ::pread(fd, out.data(), len, off);
    if (n < 0) {
        fail(fmt::format("pread({} bytes at offset {}): {}", len, off, std::strerror(errno)));
        out.clear();
        return false;
    }
    out.resize(static_cast<std::size_t>(n));
    return true;
}

/// The text with every run of digits replaced by '#' and every run of blanks by one space:
/// what stays the same between two snapshots of a changing procfs file.
std::string shape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        bool digit = ch >= '0' && ch <= '9';
        bool blank = ch == ' ' || ch == '\t';
        if (digit || blank) {
            char mark = digit ? '#' : ' ';
            if (out.empty() || out.back() != mark) {
                out.push_back(mark);
            }
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

void expect_same(std::string_view what, std::string_view want, std::string_view got) {
    if (want != got) {
        fail(what, fmt::format("--- expected ({} bytes):\n{}\n--- got ({} bytes):\n{}", want.size(),
                               excerpt(want), got.size(), excerpt(got)));
    }
}

void expect_same_shape(std::string_view what, std::string_view want, std::string_view got) {
    if (shape(want) != shape(got)) {
        fail(what, fmt::format("--- first full read:\n{}\n--- this read:\n{}", excerpt(want),
                               excerpt(got)));
    }
}

/// One open: full read, reads at EOF, lseek back, slices by pread and by lseek+read.
std::string check_one_open(const char* path) {
    Fd f = open_ro(path);
    std::string full;
    std::string again;
    read_to_eof(f.fd, 65536, full);
    if (full.empty() || full.back() != '\n') {
        fail("full read is empty or does not end in a newline", excerpt(full));
    }
    for (int i = 0; i < 3; ++i) {
        read_to_eof(f.fd, 4096, again);
        expect_same(fmt::format("read #{} after EOF returns 0 bytes", i + 1), "", again);
    }
    if (::lseek(f.fd, 0, SEEK_SET) != 0) {
        fail(fmt::format("lseek(0, SEEK_SET): {}", std::strerror(errno)));
    }
    read_to_eof(f.fd, 65536, again);
    expect_same_shape("after lseek(0) the same open reads a fresh rendering", full, again);

    // The rendering every offset but 0 continues: the one pread(0) shows whole.
    std::string current;
    pread_at(f.fd, 0, 1 << 20, current);
    expect_same_shape("pread(1 MiB at 0) is a whole rendering", full, current);
    const std::size_t size = current.size();
    const std::vector<std::size_t> offsets = {1,    size / 2,   size ? size - 1 : 0,
                                              size, size + 100, std::size_t{1} << 40};
    for (std::size_t off : offsets) {
        for (std::size_t len : {std::size_t{1}, std::size_t{17}, std::size_t{4096}}) {
            std::string got;
            pread_at(f.fd, static_cast<off_t>(off), len, got);
            std::string want = off < size ? current.substr(off, len) : std::string();
            expect_same(fmt::format("pread({} at {}) continues the rendering", len, off), want,
                        got);
        }
    }
    if (::lseek(f.fd, static_cast<off_t>(size / 3), SEEK_SET) == static_cast<off_t>(size / 3)) {
        read_to_eof(f.fd, 100, again);
        expect_same(fmt::format("lseek({}) then read to EOF", size / 3), current.substr(size / 3),
                    again);
    } else {
        fail(fmt::format("lseek({}, SEEK_SET): {}", size / 3, std::strerror(errno)));
    }
    return full;
}

/// A fresh open read with small reads: same shape as @p full, as many calls as expected.
void check_small_reads(const char* path, const std::string& full, std::size_t bufsize) {
    Fd f = open_ro(path);
    std::string text;
    std::size_t calls = 0;
    read_to_eof(f.fd, bufsize, text, &calls);
    expect_same_shape(fmt::format("{}-byte reads on a fresh open", bufsize), full, text);
    std::size_t want_calls = (text.size() + bufsize - 1) / bufsize + 1;
    if (calls != want_calls) {
        fail(fmt::format("{}-byte reads: {} calls for {} bytes, expected {} (every read but the "
                         "last must be full, then one 0-byte read)",
                         bufsize, calls, text.size(), want_calls));
    }
}

/// The first operation on a fresh open is a pread at @p off: it must return the bytes of the
/// open's rendering, which a later pread at offset 1 continues (offset 0 would render anew).
void check_fresh_pread(const char* path, std::size_t off) {
    Fd f = open_ro(path);
    std::string first;
    std::string rest;
    pread_at(f.fd, static_cast<off_t>(off), 64, first);
    pread_at(f.fd, 1, 1 << 20, rest); // the rendering from its second byte on
    std::string want;
    std::string got = first;
    if (off == 0) {
        want = rest.substr(0, 63);
        got = first.empty() ? first : first.substr(1);
    } else if (off - 1 < rest.size()) {
        want = rest.substr(off - 1, 64);
    }
    expect_same(fmt::format("first operation pread(64 at {}) on a fresh open", off), want, got);
}

/// Opening for writing or truncation fails with EACCES.
void check_write_refused(const char* path) {
    const std::pair<int, const char*> modes[] = {
        {O_WRONLY, "O_WRONLY"},
        {O_RDWR, "O_RDWR"},
        {O_RDONLY | O_TRUNC, "O_RDONLY|O_TRUNC"},
        {O_WRONLY | O_APPEND, "O_WRONLY|O_APPEND"},
    };
    for (const auto& [flags, name] : modes) {
        int fd = ::open(path, flags | O_CLOEXEC);
        int err = errno;
        if (fd >= 0) {
            ::close(fd);
            fail(fmt::format("open({}) succeeded; expected EACCES", name));
        } else if (err != EACCES) {
            fail(fmt::format("open({}) failed with {}; expected EACCES", name, std::strerror(err)));
        }
    }
    Fd f = open_ro(path);
    if (::write(f.fd, "x", 1) >= 0 || errno != EBADF) {
        fail("write(2) on a read-only open did not fail with EBADF");
    }
}

int run_check(const char* path) {
    std::string full = check_one_open(path);
    for (std::size_t bufsize : {1, 7, 1024}) {
        check_small_reads(path, full, bufsize);
    }
    const std::size_t size = full.size();
    for (std::size_t off :
         {std::size_t{0}, std::size_t{1}, size / 2, size ? size - 1 : 0, size, size + 100}) {
        check_fresh_pread(path, off);
    }
    check_write_refused(path);
    if (g_failures == 0) {
        fmt::print("readpat: ok {} ({} bytes, {} lines)\n", path, size,
                   std::count(full.begin(), full.end(), '\n'));
        return 0;
    }
    fmt::print(stderr, "readpat: {} check(s) failed on {}\n", g_failures, path);
    return 1;
}

int run_cat(const char* path, const char* bufsize_arg) {
    char* end = nullptr;
    unsigned long bufsize = bufsize_arg ? std::strtoul(bufsize_arg, &end, 10) : 65536;
    if (bufsize == 0 || bufsize > (1UL << 24) || (end && *end != '\0')) {
        fmt::print(stderr, "readpat: bad buffer size '{}'\n", bufsize_arg);
        return 2;
    }
    Fd f = open_ro(path);
    std::string text;
    if (!read_to_eof(f.fd, bufsize, text)) {
        return 1;
    }
    return std::fwrite(text.data(), 1, text.size(), stdout) == text.size() ? 0 : 1;
}

int usage() {
    std::fputs("usage: readpat cat PATH [BUFSIZE]\n       readpat check PATH\n", stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        return usage();
    }
    std::string_view mode = argv[1];
    if (mode == "cat" && argc <= 4) {
        return run_cat(argv[2], argc == 4 ? argv[3] : nullptr);
    }
    if (mode == "check" && argc == 3) {
        return run_check(argv[2]);
    }
    return usage();
}
