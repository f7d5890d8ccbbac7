#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <sys/types.h>

#include "control/listener.hpp"
#include "control/services.hpp"
#include "util/result.hpp"

namespace lensfs::control {

/// Limits and access of the control server.
struct ServerConfig {
    std::optional<gid_t> group;       ///< members may connect too (root always may)
    std::size_t max_connections = 64; ///< more are answered "busy" and closed
    /// A connection with no complete request line (or no progress in reading its responses)
    /// for this long gets "timeout" and is closed.
    std::chrono::milliseconds idle_timeout{30'000};
    /// Response bytes a client may leave unread before the daemon stops reading its requests.
    std::size_t high_water = std::size_t{256} * 1024;
};

/// The control socket: newline-delimited JSON requests (see protocol/protocol.hpp), served by
/// Boost.Asio on a thread of its own, so that a slow client or a registry write (fsync) never
/// stalls the FUSE threads. Asio stays inside this module: this header does not include it.
class ControlServer {
public:
    /// Takes over @p listener (from open_listener()); @p services is borrowed.
    /// A @p listener without an fd serves no socket; the loop then only runs every() tasks.
    ControlServer(Listener listener, Services& services, ServerConfig config);
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    /// Stops the server (see stop()).
    ~ControlServer();

    /// Runs @p task every @p period on the control thread, first one period after start().
    /// Exceptions from it are logged. Call before start().
    void every(std::chrono::milliseconds period, std::function<void()> task);

    /// Starts the control thread. The thread blocks every signal, so that SIGTERM and
    /// SIGINT reach the FUSE loop.
    Status start();

    /// Closes the socket and every connection, joins the thread and removes the socket file.
    /// Idempotent.
    void stop() noexcept;

    [[nodiscard]] const ControlCounters& counters() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace lensfs::control
