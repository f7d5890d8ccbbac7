#pragma once

// One client connection of the control socket. Internal to the control module.

#include <array>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>

#include "control/asio.hpp"
#include "control/handlers.hpp"

namespace lensfs::control {

/// The limits every connection works under.
struct ConnectionLimits {
    /// Closed after this long without a complete request line, or without progress in
    /// writing a response.
    std::chrono::milliseconds idle_timeout{30'000};
    /// No further request is read while more response bytes than this wait to be written:
    /// a client that never reads its responses cannot make the daemon buffer without end.
    std::size_t high_water = std::size_t{256} * 1024;
};

/// Reads newline-delimited requests, answers each with one line, in order. Lives as long as
/// an Asio operation holds it; everything runs on the control thread.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    /// @p live counts the server's open connections: incremented here, decremented when the
    /// connection is destroyed.
    Connection(Socket socket, HandlerContext& context, const ConnectionLimits& limits,
               std::size_t& live);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    void start();

private:
    void read_more();
    void on_read(const IoError& ec, std::size_t n);
    void serve_lines();
    void refuse_line();
    void send(std::string line);
    void write_next();
    void on_write(const IoError& ec);
    void arm_timer();
    void on_timer(const IoError& ec);
    void finish();
    void close() noexcept;
    void fail(const char* where) noexcept;

    Socket socket_;
    asio::steady_timer timer_;
    HandlerContext& context_;
    const ConnectionLimits& limits_;
    std::size_t& live_;
    std::array<char, std::size_t{16} * 1024> chunk_{};
    std::string in_;          ///< received bytes not yet answered
    std::size_t scanned_ = 0; ///< bytes of the unfinished line in in_ known to hold no newline
    std::deque<std::string> out_;
    std::size_t pending_ = 0; ///< bytes in out_
    bool reading_ = false;
    bool writing_ = false;
    bool finishing_ = false; ///< no more requests: close once out_ is written
    bool closed_ = false;
};

} // namespace lensfs::control
