#include "fuse/session.hpp"

#include <fuse_lowlevel.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuse/ops.hpp"
#include "util/log.hpp"

namespace lensfs::fuse {

namespace {

// allow_other: every user and container reads the mount. default_permissions: the kernel
// checks the modes itself, so no ACCESS round trips.
constexpr const char* kMountOptions =
    "allow_other,default_permissions,fsname=lensfs,subtype=lensfs";
// Room for any request of a read-only file system: the negotiated max_write (op_init) and
// the headers. Larger requests (a huge SETXATTR) are failed by the kernel itself.
constexpr std::size_t kRequestBuffer = 128 * 1024 + 4096;
constexpr auto kWakeInterval = std::chrono::milliseconds(2);

// Each worker replies through the descriptor it read the request from; the kernel matches a
// reply to its request only there. Notifications may go through any descriptor.
thread_local int tls_reply_fd = -1;
// Set while a server replays the INIT request: its reply must not reach the kernel.
thread_local bool tls_swallow = false;
thread_local std::int32_t tls_swallowed_error = 0;

ssize_t total_length(const iovec* iov, int count) {
    ssize_t n = 0;
    for (int i = 0; i < count; ++i) {
        n += static_cast<ssize_t>(iov[i].iov_len);
    }
    return n;
}

ssize_t io_writev(int fd, struct iovec* iov, int count, void* /*userdata*/) {
    if (tls_swallow) {
        if (count > 0 && iov[0].iov_len >= sizeof(fuse_out_header)) {
            tls_swallowed_error = static_cast<const fuse_out_header*>(iov[0].iov_base)->error;
        }
        return total_length(iov, count);
    }
    return ::writev(tls_reply_fd >= 0 ? tls_reply_fd : fd, iov, count);
}

ssize_t io_read(int fd, void* buf, size_t len, void* /*userdata*/) {
    return ::read(fd, buf, len);
}

struct ArgsDeleter {
    void operator()(fuse_args* a) const { fuse_opt_free_args(a); }
};

SessionPtr new_session(std::vector<std::string> argv_store, void* userdata) {
    std::vector<char*> argv;
    for (auto& arg : argv_store) {
        argv.push_back(arg.data());
    }
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    // fuse_session_new() may copy the arguments into memory that the caller frees.
    std::unique_ptr<fuse_args, ArgsDeleter> owner(&args);
    return SessionPtr(
        fuse_session_new(&args, &lowlevel_ops(), sizeof(fuse_lowlevel_ops), userdata));
}

Result<UniqueFd> clone_of(int master_fd) {
    UniqueFd fd(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
    if (!fd) {
        return make_error(errno, "/dev/fuse");
    }
    auto master = static_cast<std::uint32_t>(master_fd);
    if (::ioctl(fd.get(), FUSE_DEV_IOC_CLONE, &master) != 0) {
        return make_error(errno, "cloning the FUSE descriptor");
    }
    return fd;
}

void on_wake(int /*sig*/) {}

int wake_signal() {
    return SIGRTMIN;
}

// Workers are woken out of read() by a signal whose handler does nothing and does not
// restart the call.
void install_wake_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_wake;
    sigemptyset(&sa.sa_mask);
    ::sigaction(wake_signal(), &sa, nullptr);
}

} // namespace

void SessionDeleter::operator()(fuse_session* se) const {
    fuse_session_destroy(se);
}

int Connection::fd() const {
    return session ? fuse_session_fd(session.get()) : -1;
}

Result<Connection> mount_connection(const std::string& mountpoint, bool debug) {
    std::vector<std::string> argv = {"lensfs", "-o", kMountOptions};
    if (debug) {
        argv.emplace_back("-d");
    }
    Connection c;
    c.session = new_session(std::move(argv), nullptr);
    if (!c.session) {
        return Error{EINVAL, "cannot create the FUSE session"};
    }
    if (fuse_session_mount(c.session.get(), mountpoint.c_str()) != 0) {
        return Error{EIO, fmt::format("cannot mount on {} (see the message above)", mountpoint)};
    }
    fuse_buf buf{};
    int n = fuse_session_receive_buf(c.session.get(), &buf);
    std::unique_ptr<void, decltype(&std::free)> mem(buf.mem, &std::free);
    if (n <= 0 || buf.size < sizeof(fuse_in_header) ||
        static_cast<const fuse_in_header*>(buf.mem)->opcode != FUSE_INIT) {
        unmount(mountpoint);
        return Error{n < 0 ? -n : EPROTO, "the kernel's first FUSE request was not INIT"};
    }
    c.init.assign(static_cast<const char*>(buf.mem), buf.size);
    fuse_session_process_buf(c.session.get(), &buf);
    return c;
}

void unmount(const std::string& mountpoint) {
    if (::umount2(mountpoint.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        log_warn("cannot unmount {}: {}", mountpoint, std::strerror(errno));
    }
}

Result<std::unique_ptr<Server>> Server::take_over(Context& cx, int master_fd,
                                                  const std::string& init, unsigned threads,
                                                  bool debug) {
    std::unique_ptr<Server> s(new Server);
    std::vector<std::string> argv = {"lensfs"};
    if (debug) {
        argv.emplace_back("-d");
    }
    s->session_ = new_session(std::move(argv), &cx);
    auto notify = clone_of(master_fd);
    if (!s->session_ || !notify) {
        return notify ? Error{EINVAL, "cannot create the FUSE session"} : notify.error();
    }
    fuse_custom_io io{io_writev, io_read, nullptr, nullptr};
    if (fuse_session_custom_io(s->session_.get(), &io, notify->release()) != 0) {
        return Error{EINVAL, "cannot give the FUSE session its descriptor"};
    }
    // The connection was initialised by the keeper: replay its INIT, drop the reply.
    std::string copy = init;
    fuse_buf buf{};
    buf.size = copy.size();
    buf.mem = copy.data();
    tls_swallow = true;
    tls_swallowed_error = 0;
    fuse_session_process_buf(s->session_.get(), &buf);
    tls_swallow = false;
    if (tls_swallowed_error != 0) {
        return Error{-tls_swallowed_error, "replaying the connection's INIT failed"};
    }
    if (init.size() >= sizeof(fuse_in_header) + sizeof(fuse_init_in)) {
        fuse_init_in in{};
        std::memcpy(&in, init.data() + sizeof(fuse_in_header), sizeof(in));
        s->protocol_ = fmt::format("{}.{}", in.major, in.minor);
    }
    cx.session = s->session_.get();
    s->gone_ = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    for (unsigned i = 0; i < threads; ++i) {
        auto fd = clone_of(master_fd);
        if (!fd) {
            return std::move(fd).error();
        }
        s->clones_.push_back(std::move(*fd));
    }
    install_wake_handler();
    for (auto& fd : s->clones_) {
        ++s->running_;
        s->workers_.emplace_back([srv = s.get(), f = fd.get()] { srv->work(f); });
    }
    return s;
}

void Server::work(int fd) {
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, wake_signal());
    pthread_sigmask(SIG_UNBLOCK, &wake, nullptr);
    tls_reply_fd = fd;
    std::vector<char> buf(kRequestBuffer);
    while (!draining_.load(std::memory_order_acquire)) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            int err = errno;
            if (err == ENODEV) { // unmounted
                std::uint64_t one = 1;
                (void)!::write(gone_.get(), &one, sizeof(one));
                break;
            }
            if (err != EINTR && err != EAGAIN && err != ENOENT) {
                static RateLimit limit;
                log_warn_limited(limit, "reading a FUSE request: {}", std::strerror(err));
                std::this_thread::sleep_for(kWakeInterval);
            }
            continue;
        }
        fuse_buf fbuf{};
        fbuf.size = static_cast<std::size_t>(n);
        fbuf.mem = buf.data();
        fuse_session_process_buf(session_.get(), &fbuf);
    }
    running_.fetch_sub(1, std::memory_order_acq_rel);
}

void Server::drain() {
    draining_.store(true, std::memory_order_release);
    // A worker that checked the flag just before a wake-up arrives would block in read();
    // waking every worker again until all are out closes that window.
    while (running_.load(std::memory_order_acquire) > 0) {
        for (auto& t : workers_) {
            pthread_kill(t.native_handle(), wake_signal());
        }
        std::this_thread::sleep_for(kWakeInterval);
    }
    for (auto& t : workers_) {
        if (t.joinable()) {
            t.join();
        }
    }
    workers_.clear();
}

Server::~Server() {
    drain();
}

std::string Server::protocol() const {
    return protocol_;
}

} // namespace lensfs::fuse
