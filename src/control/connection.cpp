#include "control/connection.hpp"

#include <boost/asio/write.hpp>

#include <exception>
#include <utility>

#include "control/dispatch.hpp"
#include "protocol/protocol.hpp"
#include "util/log.hpp"

namespace lensfs::control {

Connection::Connection(Socket socket, HandlerContext& context, const ConnectionLimits& limits,
                       std::size_t& live)
    : socket_(std::move(socket)), timer_(socket_.get_executor()), context_(context),
      limits_(limits), live_(live) {
    ++live_;
}

Connection::~Connection() {
    --live_;
}

void Connection::start() {
    arm_timer();
    read_more();
}

void Connection::read_more() {
    if (reading_ || finishing_ || closed_ || pending_ > limits_.high_water) {
        return;
    }
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const IoError& ec, std::size_t n) { self->on_read(ec, n); });
}

void Connection::on_read(const IoError& ec, std::size_t n) {
    reading_ = false;
    if (closed_) {
        return;
    }
    if (ec == asio::error::eof) {
        // The client is done sending: answer what it sent, then close. A partial line it
        // left behind is dropped: a request counts only once its newline has arrived.
        if (!in_.empty() && !finishing_) {
            log_debug("control: client left with {} bytes of an unfinished line", in_.size());
        }
        finish();
        return;
    }
    if (ec) {
        close();
        return;
    }
    if (finishing_) {
        return;
    }
    try {
        in_.append(chunk_.data(), n);
        serve_lines();
        read_more();
    } catch (...) {
        fail("reading a request");
    }
}

void Connection::serve_lines() {
    std::size_t begin = 0;
    while (!finishing_ && pending_ <= limits_.high_water) {
        std::size_t nl = in_.find('\n', begin + scanned_);
        if (nl == std::string::npos) {
            scanned_ = in_.size() - begin;
            if (scanned_ >= kMaxLineBytes) {
                refuse_line();
            }
            break;
        }
        scanned_ = 0;
        std::string_view line(in_.data() + begin, nl + 1 - begin);
        begin = nl + 1;
        if (line.size() > kMaxLineBytes) {
            refuse_line();
            break;
        }
        send(dispatch(line, context_));
        arm_timer();
    }
    in_.erase(0, begin);
}

// The rest of an over-long line cannot be told apart from the next request: answer and close.
void Connection::refuse_line() {
    static RateLimit limit;
    log_warn_limited(limit, "control: closed a connection that sent a request line over {} bytes",
                     kMaxLineBytes);
    context_.counters.dropped.fetch_add(1, std::memory_order_relaxed);
    send(encode_error({ErrorCode::too_large,
                       fmt::format("request line longer than {} bytes", kMaxLineBytes),
                       {}}));
    in_.clear();
    scanned_ = 0;
    finish();
}

void Connection::send(std::string line) {
    pending_ += line.size();
    out_.push_back(std::move(line));
    write_next();
}

void Connection::write_next() {
    if (writing_ || closed_ || out_.empty()) {
        return;
    }
    writing_ = true;
    // out_.front() stays put while it is written: a deque keeps its elements in place.
    asio::async_write(
        socket_, asio::buffer(out_.front()),
        [self = shared_from_this()](const IoError& ec, std::size_t /*n*/) { self->on_write(ec); });
}

void Connection::on_write(const IoError& ec) {
    writing_ = false;
    if (closed_) {
        return;
    }
    if (ec) {
        close(); // the client went away; nothing to answer
        return;
    }
    pending_ -= out_.front().size();
    out_.pop_front();
    if (finishing_ && out_.empty()) {
        close();
        return;
    }
    try {
        if (!out_.empty()) {
            arm_timer(); // the client reads: progress
        }
        write_next();
        if (!finishing_ && !reading_) {
            serve_lines(); // lines held back while the output was over the high water mark
            read_more();
        }
    } catch (...) {
        fail("answering a request");
    }
}

void Connection::arm_timer() {
    timer_.expires_after(limits_.idle_timeout);
    timer_.async_wait([self = shared_from_this()](const IoError& ec) { self->on_timer(ec); });
}

void Connection::on_timer(const IoError& ec) {
    // Aborted, or re-armed after this expiry was already queued: not a timeout.
    if (ec == asio::error::operation_aborted || closed_ ||
        timer_.expiry() > asio::steady_timer::clock_type::now()) {
        return;
    }
    context_.counters.dropped.fetch_add(1, std::memory_order_relaxed);
    if (finishing_ || !out_.empty()) {
        static RateLimit limit;
        log_warn_limited(limit, "control: dropped a client that does not read its responses");
        close();
        return;
    }
    log_debug("control: closing an idle connection");
    try {
        send(encode_error({ErrorCode::timeout, "idle for too long; closing the connection", {}}));
        finish();
    } catch (...) {
        fail("timing out a connection");
    }
}

// No more requests are read. What is queued is still written, within one more idle period.
void Connection::finish() {
    finishing_ = true;
    if (out_.empty() && !writing_) {
        close();
        return;
    }
    arm_timer();
}

void Connection::close() noexcept {
    if (closed_) {
        return;
    }
    closed_ = true;
    IoError ignored;
    timer_.cancel(ignored);
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
}

void Connection::fail(const char* where) noexcept {
    context_.counters.internal.fetch_add(1, std::memory_order_relaxed);
    log_error("control: out of memory or internal failure while {}; closing the connection", where);
    close();
}

} // namespace lensfs::control
