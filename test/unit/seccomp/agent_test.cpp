// The agent against the real kernel interface: a child process installs a filter that sends
// its sysinfo(2) calls to a listener, hands the listener to the agent's socket as a runtime
// does, and reports what its calls returned.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "seccomp/agent.hpp"
#include "seccomp/notify.hpp"

using namespace lensfs;
using namespace lensfs::seccomp;

namespace {

int install_filter() {
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sysinfo, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return -1;
    }
    return static_cast<int>(::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
}

bool send_with_fd(int sock, const std::string& text, int fd) {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    iovec iov{const_cast<char*>(text.data()), text.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    return ::sendmsg(sock, &msg, MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

int connect_to(const std::string& path) {
    int sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(sock);
        return -1;
    }
    return sock;
}

std::string state_json(const std::string& id, pid_t pid) {
    return R"({"ociVersion":"1.0.2","fds":["seccompFd"],"pid":)" + std::to_string(pid) +
           R"(,"state":{"id":")" + id + R"(","pid":)" + std::to_string(pid) + "}}";
}

struct Probe {
    long uptime = -1;
    unsigned long totalram = 0;
    unsigned mem_unit = 0;
};

// A child under the filter: sends its listener as @p how says, then calls sysinfo() and
// writes the result to a pipe.
enum class Send { state, bad_json, no_fd, pipe_fd };

Probe run_child(const std::string& socket, Send how, const std::string& id) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(out[0]);
        int listener = install_filter();
        int sock = connect_to(socket);
        if (listener < 0 || sock < 0) {
            ::_exit(3);
        }
        int junk[2];
        if (::pipe(junk) != 0) {
            ::_exit(3);
        }
        std::string text = how == Send::bad_json ? "{\"fds\":" : state_json(id, ::getpid());
        int fd = how == Send::no_fd ? -1 : how == Send::pipe_fd ? junk[0] : listener;
        send_with_fd(sock, text, fd);
        ::close(sock);
        ::close(listener);
        struct sysinfo si {};
        Probe p;
        if (::sysinfo(&si) == 0) {
            p.uptime = si.uptime;
            p.totalram = si.totalram;
            p.mem_unit = si.mem_unit;
        }
        (void)::write(out[1], &p, sizeof(p));
        ::_exit(0);
    }
    ::close(out[1]);
    Probe p;
    ssize_t n = ::read(out[0], &p, sizeof(p));
    ::close(out[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(n == static_cast<ssize_t>(sizeof(p)));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    return p;
}

struct Socket {
    std::string dir;
    std::string path;
    UniqueFd fd;
    Socket() {
        char tmpl[] = "/tmp/lensfs-agent-test.XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        path = dir + "/seccomp.sock";
        fd = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
        REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
        REQUIRE(::listen(fd.get(), 16) == 0);
    }
    ~Socket() {
        ::unlink(path.c_str());
        ::rmdir(dir.c_str());
    }
};

bool wait_for(const std::function<bool()>& done) {
    for (int i = 0; i < 200; ++i) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

} // namespace

TEST_CASE("the agent answers sysinfo(2) for a listener a runtime sent, with the caller's pid") {
    Socket s;
    std::atomic<pid_t> asked{0};
    std::atomic<int> received{0};
    InFlight in_flight;
    AgentConfig config;
    config.answer = [&](pid_t pid) -> std::optional<struct sysinfo> {
        asked = pid;
        struct sysinfo si {};
        si.uptime = 42;
        si.totalram = 268435456;
        si.mem_unit = 1;
        return si;
    };
    config.received = [&](std::uint64_t key, const std::string& id, int fd) {
        CHECK(key == (7ULL << 32) + 1);
        CHECK(id == "web-1");
        CHECK(is_listener(fd));
        ++received;
    };
    config.in_flight = &in_flight;
    config.key_base = 7ULL << 32;
    Agent agent(s.fd.get(), config);
    REQUIRE(agent.start());
    Probe p = run_child(s.path, Send::state, "web-1");
    CHECK(p.uptime == 42);
    CHECK(p.totalram == 268435456);
    CHECK(p.mem_unit == 1);
    CHECK(asked > 0);
    CHECK(received == 1);
    // The child may read its answer before the agent's thread counts it.
    CHECK(wait_for([&] { return agent.counters().answered == 1; }));
    CHECK(agent.counters().listeners_received == 1);
    for (const auto& slot : in_flight.slots) {
        CHECK(slot.key.load() == 0); // nothing left marked as taken
    }
    // The child is gone: its listener hangs up and is closed.
    CHECK(wait_for([&] { return agent.listener_count() == 0; }));
    agent.stop();
}

TEST_CASE("a call the agent cannot answer goes through to the kernel") {
    Socket s;
    AgentConfig config;
    config.answer = [](pid_t) -> std::optional<struct sysinfo> { return std::nullopt; };
    Agent agent(s.fd.get(), config);
    REQUIRE(agent.start());
    struct sysinfo host {};
    REQUIRE(::sysinfo(&host) == 0);
    Probe p = run_child(s.path, Send::state, "plain");
    CHECK(p.totalram == host.totalram);
    CHECK(p.uptime >= host.uptime);
    CHECK(wait_for([&] { return agent.counters().let_through == 1; }));
    CHECK(agent.counters().answered == 0);
    agent.stop();
}

TEST_CASE("senders with bad messages are refused and the agent serves on") {
    Socket s;
    AgentConfig config;
    config.answer = [](pid_t) -> std::optional<struct sysinfo> {
        struct sysinfo si {};
        si.uptime = 5;
        return si;
    };
    config.sender_timeout = std::chrono::milliseconds(200);
    Agent agent(s.fd.get(), config);
    REQUIRE(agent.start());
    // Each child's listener never reaches the agent: its call blocks until the child's own
    // copy is closed... which it is before the call, so the kernel answers ENOSYS. The
    // refusals are what is checked here.
    for (Send how : {Send::bad_json, Send::no_fd, Send::pipe_fd}) {
        (void)run_child(s.path, how, "bad");
    }
    // A sender that connects and says nothing is cut off after sender_timeout.
    int silent = connect_to(s.path);
    REQUIRE(silent >= 0);
    CHECK(wait_for([&] { return agent.counters().senders_refused == 4; }));
    ::close(silent);
    Probe p = run_child(s.path, Send::state, "good");
    CHECK(p.uptime == 5);
    CHECK(agent.counters().listeners_received == 1);
    agent.stop();
}

TEST_CASE("listeners adopted from the keeper are served; a stopped agent lets go of them") {
    Socket s;
    AgentConfig config;
    config.answer = [](pid_t) -> std::optional<struct sysinfo> {
        struct sysinfo si {};
        si.uptime = 9;
        return si;
    };
    // A child whose listener is given to the agent by adopt(), not through the socket.
    int sp[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        int listener = install_filter();
        send_with_fd(sp[1], "L", listener);
        ::close(listener);
        char go = 0;
        if (::read(sp[1], &go, 1) != 1) {
            ::_exit(3);
        }
        struct sysinfo si {};
        long uptime = ::sysinfo(&si) == 0 ? si.uptime : -1;
        (void)::write(out[1], &uptime, sizeof(uptime));
        ::_exit(0);
    }
    ::close(out[1]);
    char byte = 0;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec iov{&byte, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    REQUIRE(::recvmsg(sp[0], &msg, MSG_CMSG_CLOEXEC) == 1);
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
    Agent agent(-1, config);
    REQUIRE(agent.start());
    std::vector<KeptListener> adopted;
    adopted.push_back(KeptListener{(3ULL << 32) + 5, "kept", UniqueFd(fd)});
    agent.adopt(std::move(adopted));
    CHECK(wait_for([&] { return agent.listener_count() == 1; }));
    REQUIRE(::write(sp[0], "g", 1) == 1);
    long uptime = 0;
    CHECK(::read(out[0], &uptime, sizeof(uptime)) == sizeof(uptime));
    CHECK(uptime == 9);
    int status = 0;
    ::waitpid(child, &status, 0);
    agent.stop();
    CHECK(agent.listener_count() == 0);
    ::close(out[0]);
    ::close(sp[0]);
    ::close(sp[1]);
}
