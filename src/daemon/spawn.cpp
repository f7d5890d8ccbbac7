#include "daemon/spawn.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/file.hpp"
#include "util/log.hpp"
#include "util/parse.hpp"

namespace lensfs::daemon {

namespace {

// The allocator settings of a server process, for glibc's GLIBC_TUNABLES when the operator
// set none. With glibc's defaults each FUSE worker keeps freed small chunks in its thread
// cache (7 of each size) and in fast bins, unmerged; a churn of containers fills size classes
// the steady load never uses, and those chunks pin the pages around them, so malloc_trim
// cannot give the pages back. Without both, freed chunks merge and the server's RSS after
// 1000 containers come and gone ends 0.3-0.5 MB above its warm-up's instead of 0.8 MB
// (issue 10, test/integration/resources); bench/run-bench showed no cost per read beyond
// its noise (docs/benchmark.md).
constexpr const char* kServerMallocTunables = "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0";

} // namespace

std::string own_binary_path() {
    std::string path(PATH_MAX, '\0');
    ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size());
    if (n <= 0) {
        return "/proc/self/exe";
    }
    path.resize(static_cast<std::size_t>(n));
    return path;
}

std::uint64_t next_generation(const std::string& state_dir) {
    std::string file = state_dir + "/server-generation";
    std::uint64_t last = 0;
    if (auto text = read_file(file, 64)) {
        last = parse_u64(trim(*text)).value_or(0);
    }
    std::uint64_t next = last + 1;
    if (next > 0xffffffffU || !write_file_atomic(file, fmt::format("{}\n", next), 0600)) {
        std::uint32_t r = 0;
        if (::getrandom(&r, sizeof(r), 0) != sizeof(r)) {
            r = static_cast<std::uint32_t>(::getpid());
        }
        log_warn("cannot keep the server number in {}; a random one is used", file);
        return r | 1U;
    }
    return next;
}

Result<ServerChild> spawn_server(const std::string& binary, const std::vector<std::string>& argv,
                                 Handoff handoff) {
    int pair[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        return make_error(errno, "socketpair");
    }
    UniqueFd mine(pair[0]);
    UniqueFd theirs(pair[1]);
    handoff.keeper_fd = theirs.get();
    std::string env = fmt::format("{}={}", kHandoffVar, encode_handoff(handoff));
    // Built before fork, as env is. A GLIBC_TUNABLES the operator set (even empty) stays.
    std::string tunables;
    if (::getenv("GLIBC_TUNABLES") == nullptr) {
        tunables = fmt::format("GLIBC_TUNABLES={}", kServerMallocTunables);
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    const int keep[] = {handoff.fuse_fd,    handoff.init_fd,    handoff.keeper_fd,
                        handoff.control_fd, handoff.seccomp_fd, handoff.in_flight_fd};
    pid_t pid = ::fork();
    if (pid < 0) {
        return make_error(errno, "fork");
    }
    if (pid == 0) {
        // The child: what the server needs stays open across exec, nothing else.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int fd : keep) {
            if (fd >= 0) {
                ::fcntl(fd, F_SETFD, 0);
            }
        }
        ::putenv(env.data());
        if (!tunables.empty()) {
            ::putenv(tunables.data());
        }
        ::execv(binary.c_str(), args.data());
        ::execv("/proc/self/exe", args.data());
        ::_exit(127);
    }
    ServerChild child;
    child.pid = pid;
    child.channel = std::move(mine);
    child.generation = handoff.generation;
    child.started = std::chrono::steady_clock::now();
    child.control = handoff.control_now;
    return child;
}

} // namespace lensfs::daemon
