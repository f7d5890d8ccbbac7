#pragma once

// The FUSE connection's life, split so that it can outlive any one server process:
//
//   keeper  mount_connection()  mounts, answers the kernel's INIT, keeps the descriptor
//   server  Server::take_over() serves an initialised connection through cloned descriptors
//           Server::drain()     stops taking requests, finishes those taken, lets go
//   keeper  unmount()           at a clean stop
//
// A server never reads the keeper's descriptor: it reads through clones of it
// (FUSE_DEV_IOC_CLONE), one per worker. When a server process dies the kernel ends only the
// requests it had taken (with ECONNABORTED); the connection stays, and queued and new requests
// wait for the next server. libfuse 3.14 has no way to join an initialised connection, so a
// server hands its session the INIT request the keeper saved and drops the reply
// (fuse_session_custom_io lets it see every byte it writes).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fuse/context.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

struct fuse_session;

namespace lensfs::fuse {

struct SessionDeleter {
    void operator()(fuse_session* se) const;
};
using SessionPtr = std::unique_ptr<fuse_session, SessionDeleter>;

/// A mounted connection whose INIT was answered.
struct Connection {
    SessionPtr session; ///< owns the mount and the descriptor
    std::string init;   ///< the kernel's INIT request, byte for byte, for later servers
    [[nodiscard]] int fd() const;
};

/// Mounts lensfs on @p mountpoint, reads the kernel's INIT and answers it with the options
/// every server of this connection will assume. @p debug: libfuse's request trace.
Result<Connection> mount_connection(const std::string& mountpoint, bool debug);

/// Unmounts @p mountpoint (lazily: open files of containers keep their inode until closed).
void unmount(const std::string& mountpoint);

/// The worker threads of one server process.
class Server {
public:
    /// Serves the connection behind @p master_fd (initialised with @p init) with @p threads
    /// workers answering from @p cx, which must outlive the Server.
    static Result<std::unique_ptr<Server>>
    take_over(Context& cx, int master_fd, const std::string& init, unsigned threads, bool debug);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Stops taking requests, answers the ones taken and joins the workers. Idempotent.
    void drain();
    /// A descriptor that becomes readable once the mount is gone (a worker saw ENODEV).
    [[nodiscard]] int gone_fd() const { return gone_.get(); }
    /// The FUSE protocol version the kernel offered, for the log.
    [[nodiscard]] std::string protocol() const;

private:
    Server() = default;
    void work(int fd);

    SessionPtr session_;
    std::vector<UniqueFd> clones_;
    UniqueFd gone_; ///< eventfd
    std::vector<std::thread> workers_;
    std::atomic<bool> draining_{false};
    std::atomic<unsigned> running_{0};
    std::string protocol_ = "?";
};

} // namespace lensfs::fuse
