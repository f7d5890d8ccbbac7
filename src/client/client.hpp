#pragma once

// A small blocking client of the lensfs control socket, shared by the hook library, the OCI
// hook and lensctl. POSIX sockets and poll() only: it must stay cheap to load into a
// container runtime, which is why it does not use Asio.

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/messages.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::client {

/// Where the daemon listens unless told otherwise.
inline constexpr std::string_view kDefaultSocket = "/run/lensfs/lensfs.sock";
/// The environment variable that overrides kDefaultSocket.
inline constexpr const char* kSocketEnv = "LENSFS_SOCKET";
/// Timeout used when a caller gives none.
inline constexpr int kDefaultTimeoutMs = 5000;
/// Longest response line accepted. Responses have no protocol limit, but a list is bounded
/// by the daemon's state file (64 MiB); a longer line means something else is talking.
inline constexpr std::size_t kMaxResponseBytes = std::size_t{128} << 20;

/// @p explicit_path when it is non-null and non-empty, else $LENSFS_SOCKET when set and
/// non-empty, else kDefaultSocket.
std::string socket_path(const char* explicit_path);

/// A point in time on CLOCK_MONOTONIC by which an operation must be done.
class Deadline {
public:
    /// @p timeout_ms from now; 0 or less means kDefaultTimeoutMs.
    static Deadline after(int timeout_ms) noexcept;
    /// Milliseconds left, at least 0 (for poll()).
    [[nodiscard]] int remaining_ms() const noexcept;
    [[nodiscard]] bool passed() const noexcept { return remaining_ms() == 0; }

private:
    explicit Deadline(std::int64_t at_ns) : at_ns_(at_ns) {}
    std::int64_t at_ns_;
};

/// The errno that stands for an error response's code: not_found → ESRCH (so that it cannot
/// be confused with a missing socket, ENOENT), missing_field/wrong_type/invalid_value →
/// EINVAL, too_large → E2BIG, permission_denied → EACCES, busy → EAGAIN, timeout →
/// ETIMEDOUT, internal → EIO; codes the client should never provoke (bad_json, not_object,
/// unknown_op) → EPROTO.
int errno_for(ErrorCode code);

/// An error response as an Error: errno_for(code), the daemon's message as context.
Error to_error(const ProtocolError& error);

/// One connection to the daemon. Requests are answered in order; each call() waits for its
/// own response. Not thread-safe: use one connection per thread.
class Connection {
public:
    /// Connects to the Unix socket @p path before @p deadline. Errors keep connect()'s errno:
    /// ENOENT (no socket: the daemon is not running), ECONNREFUSED (a stale socket),
    /// EACCES, ETIMEDOUT, ENAMETOOLONG (path longer than a socket address holds).
    static Result<Connection> connect(const std::string& path, Deadline deadline);

    /// Sends @p request (its seq is replaced by the connection's own) and reads its response
    /// before @p deadline. A transport failure is an Error: ETIMEDOUT, ECONNRESET (the daemon
    /// closed the connection), EPIPE, EPROTO (a line that is not a response to this request),
    /// EMSGSIZE (a line over kMaxResponseBytes). An error *response* is a successful call
    /// whose Response::error is set.
    Result<Response> call(Request request, Deadline deadline);

    [[nodiscard]] const std::string& path() const { return path_; }

private:
    Connection(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

    Status send_line(std::string_view line, Deadline deadline);
    Result<std::string> read_line(Deadline deadline);

    UniqueFd fd_;
    std::string path_;
    std::string pending_; ///< bytes read past the last line
    std::int64_t next_seq_ = 1;
};

/// Connects to @p path, sends @p request and returns its response, all before @p timeout_ms
/// (0 or less: kDefaultTimeoutMs) has passed. Transport errors are Errors whose context
/// starts with "lensfs at PATH: "; an error response is a Response whose error is set.
Result<Response> call(const std::string& path, const Request& request, int timeout_ms);

} // namespace lensfs::client
