#pragma once

// The typed messages of the control protocol. The wire format is documented in
// protocol/protocol.hpp, which also declares the encoders and decoders.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <variant>
#include <vector>

#include "model/entry.hpp"
#include "util/result.hpp"

namespace lensfs {

/// Symbolic error codes, spelled on the wire exactly as the enumerators.
enum class ErrorCode {
    bad_json,          ///< not JSON, invalid UTF-8 or a NUL byte
    not_object,        ///< JSON, but not an object
    unknown_op,        ///< "op" names no operation
    missing_field,     ///< a required field is absent (or null)
    wrong_type,        ///< a field has the wrong JSON type
    invalid_value,     ///< right type, unacceptable value
    too_large,         ///< line, nesting, string or collection over its limit
    not_found,         ///< no container with that id
    permission_denied, ///< the peer may not use the socket
    busy,              ///< too many connections or the registry is full
    timeout,           ///< the connection was idle for too long and is being closed
    internal,          ///< the daemon failed (out of memory, disk error, ...)
};

/// The wire spelling of @p code.
std::string_view error_code_name(ErrorCode code);
/// The code spelled @p name; nullopt for a name this version does not know.
std::optional<ErrorCode> parse_error_code(std::string_view name);
/// The code for a failed registry or system operation: ENOENT → not_found, EINVAL →
/// invalid_value, E2BIG/EFBIG → too_large, EACCES/EPERM → permission_denied, ENOSPC/EAGAIN →
/// busy, anything else → internal.
ErrorCode error_code_for_errno(int code);

/// An error response: code, human message, and the request's seq when it is known.
struct ProtocolError {
    ErrorCode code = ErrorCode::internal;
    std::string message;
    std::optional<std::int64_t> seq;

    bool operator==(const ProtocolError&) const = default;
};

/// Maps a lensfs::Error (errno + context) to a ProtocolError whose message is the context.
ProtocolError to_protocol_error(const Error& error, std::optional<std::int64_t> seq);

/// A start time as a client gives it; either or both clocks.
struct StartTime {
    std::optional<double> boottime_s; ///< CLOCK_BOOTTIME seconds
    std::optional<double> wall_s;     ///< CLOCK_REALTIME seconds (since the epoch)

    bool operator==(const StartTime&) const = default;
};

struct PingRequest {
    bool operator==(const PingRequest&) const = default;
};

/// Register or update a container. The protocol layer guarantees: id valid, at least one of
/// cgroup and pid present, each present field valid. Resolving a pid to a cgroup and choosing
/// a default start time is the daemon's job.
struct RegisterRequest {
    std::string id;
    std::optional<std::string> cgroup;
    std::optional<pid_t> pid;
    std::optional<StartTime> start_time; ///< when present, at least one clock is set
    std::map<std::string, std::string> annotations;

    bool operator==(const RegisterRequest&) const = default;
};

struct UnregisterRequest {
    std::string id;
    bool operator==(const UnregisterRequest&) const = default;
};

struct GetRequest {
    std::string id;
    bool operator==(const GetRequest&) const = default;
};

struct ListRequest {
    bool operator==(const ListRequest&) const = default;
};

struct StatusRequest {
    bool operator==(const StatusRequest&) const = default;
};

/// Replace the serving process by the lensfs binary on disk (a live upgrade).
struct UpgradeRequest {
    bool operator==(const UpgradeRequest&) const = default;
};

using RequestBody = std::variant<PingRequest, RegisterRequest, UnregisterRequest, GetRequest,
                                 ListRequest, StatusRequest, UpgradeRequest>;

/// One decoded request line.
struct Request {
    std::optional<std::int64_t> seq; ///< echoed in the response
    RequestBody body;

    bool operator==(const Request&) const = default;
};

/// The "op" spelling of @p body's operation ("ping", "register", ...).
std::string_view op_name(const RequestBody& body);

/// What the status operation reports.
struct DaemonStatus {
    std::string version;                        ///< lensfs version, e.g. "0.1.0"
    pid_t pid = 0;                              ///< the daemon's pid
    double start_boottime_s = 0;                ///< when the daemon started, CLOCK_BOOTTIME seconds
    double start_wall_s = 0;                    ///< when the daemon started, CLOCK_REALTIME seconds
    std::uint64_t containers = 0;               ///< registered containers
    pid_t keeper_pid = 0;                       ///< the keeper holding the mount (0: unknown)
    std::uint64_t generation = 0;               ///< the serving server's number
    std::uint64_t open_files = 0;               ///< files open on the mount in this server
    std::string mount;                          ///< the mount point ("" when unknown)
    std::string seccomp_socket; ///< where runtimes send seccomp listeners ("" = no agent)
    std::map<std::string, std::uint64_t> reads; ///< reads served per file, e.g. "proc/meminfo"
    std::map<std::string, std::uint64_t> errors; ///< error counters by kind, named by the daemon

    bool operator==(const DaemonStatus&) const = default;
};

/// One decoded response line (client side). Exactly one of the payloads is set for a
/// successful register/get (container), list (containers) or status (status); none for
/// ping and unregister, nor for an error.
struct Response {
    std::optional<std::int64_t> seq;
    std::optional<ProtocolError> error; ///< set when "ok" was false
    std::optional<Entry> container;
    std::optional<std::vector<Entry>> containers;
    std::optional<DaemonStatus> status;

    [[nodiscard]] bool ok() const { return !error.has_value(); }
    bool operator==(const Response&) const = default;
};

/// A decoded line, or the ProtocolError that explains why it was refused.
template <typename T> using Decoded = Result<T, ProtocolError>;

} // namespace lensfs
