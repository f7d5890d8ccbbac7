#pragma once

// lensfs control protocol, version 1
// ==================================
//
// TRANSPORT
//   A Unix stream socket (default /run/lensfs/lensfs.sock). The client writes requests, one
//   per line; the daemon answers every request with exactly one response line, in order.
//   Several requests may be sent on one connection. It can be driven by hand:
//     echo '{"op":"list"}' | socat - UNIX-CONNECT:/run/lensfs/lensfs.sock
//
// LINES
//   A line is one JSON object (RFC 8259, UTF-8) terminated by "\n"; a "\r" before it is
//   accepted. A request line is at most 65536 bytes including the newline, contains no NUL
//   byte, and nests arrays and objects at most 32 levels deep. Response lines have no length
//   limit (a list can be long) and never contain a raw newline. Strings in both directions
//   must be valid UTF-8.
//
// REQUESTS
//   Every request is an object with a string field "op". Fields not listed here are ignored;
//   a field whose value is null counts as absent. Every request may carry
//     "seq": integer (-2^63 .. 2^63-1), copied into the response as "seq", so a client can
//            match responses to requests. Also copied into an error response when it could
//            be read.
//
//   {"op":"ping"}
//       Liveness check. Response: {"ok":true}
//
//   {"op":"register", "id":ID, "cgroup":PATH, "pid":PID,
//    "start_time":{"boottime":SECONDS, "wall":SECONDS}, "annotations":{KEY:VALUE, ...}}
//       Registers a container, or replaces the entry of an id already registered (so
//       repeating a registration is harmless).
//       id           required. 1 to 128 characters of A-Z a-z 0-9 _ . -
//       cgroup       the container's cgroup path as in /proc/PID/cgroup: absolute, no "//",
//                    no "." or ".." components, no trailing "/" (except "/" itself), no
//                    newline, at most 4096 bytes.
//       pid          the container's init process as seen by the daemon: integer 1..4194304.
//                    At least one of cgroup and pid is required. With pid only, the daemon
//                    reads the cgroup from /proc/PID/cgroup.
//       start_time   when the container started, as seconds of CLOCK_BOOTTIME ("boottime")
//                    and/or of CLOCK_REALTIME since the epoch ("wall"): finite numbers >= 0,
//                    at least one of the two. Without it the daemon uses the start time of
//                    pid when given, else the time of the request.
//       annotations  at most 64 string values; keys 1 to 256 bytes, values at most 4096.
//       Response: {"ok":true, "container":CONTAINER}, the entry as stored.
//
//   {"op":"unregister", "id":ID}
//       Removes a container. Response: {"ok":true}; error not_found if there is no such id.
//
//   {"op":"get", "id":ID}
//       Response: {"ok":true, "container":CONTAINER}; error not_found if there is no such id.
//
//   {"op":"list"}
//       Response: {"ok":true, "containers":[CONTAINER, ...]}, ordered by id.
//
//   {"op":"status"}
//       Response: {"ok":true, "status":STATUS}
//
// OBJECTS IN RESPONSES
//   CONTAINER  {"id":ID, "cgroup":PATH, "pid":PID, "start_time":{"boottime":S, "wall":S},
//               "annotations":{...}}; "pid" is absent when the init pid is unknown.
//   STATUS     {"version":"0.1.0", "pid":DAEMON_PID, "start_time":{"boottime":S, "wall":S},
//               "containers":N, "reads":{"proc/meminfo":N, ...}, "errors":{KIND:N, ...}}
//               reads counts the reads served per file since the daemon started; errors
//               counts failures by kind (for example "control", "fuse").
//   Clients must ignore fields they do not know: later versions may add some.
//
// ERRORS
//   {"ok":false, "error":{"code":CODE, "message":TEXT}}   (plus "seq" when known)
//   TEXT is for humans and may change; CODE is one of:
//     bad_json           the line is not JSON, has invalid UTF-8 or a NUL byte
//     not_object         the line is JSON but not an object
//     unknown_op         "op" names no operation
//     missing_field      a required field is absent; the message names it
//     wrong_type         a field has the wrong JSON type; the message names it
//     invalid_value      a field's value is not acceptable; the message names it and why
//     too_large          the line, its nesting, a string or the annotations exceed a limit
//     not_found          no container has that id
//     permission_denied  the connecting user may not use the socket
//     busy               too many connections, or the registry is full
//     timeout            the connection stayed idle too long; the daemon closes it
//     internal           the daemon failed (for example, it could not save its state)
//   After bad_json, too_large on an over-long line, permission_denied, busy and timeout the
//   daemon may close the connection; after any other error the connection stays usable.
//   Clients must treat a code they do not know as a failure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/entry.hpp"
#include "protocol/messages.hpp"

namespace lensfs {

/// Longest request line, newline included.
inline constexpr std::size_t kMaxLineBytes = std::size_t{64} * 1024;
/// Deepest nesting of arrays and objects accepted in a line.
inline constexpr std::size_t kMaxNestingDepth = 32;

/// Decodes one request line (with or without its newline). Never throws: every malformed,
/// oversized, wrong-typed or unknown input yields a ProtocolError naming the problem, with
/// the request's seq when that much could be read.
Decoded<Request> decode_request(std::string_view line) noexcept;

/// Response encoders. Each returns exactly one line ending in "\n". They throw only
/// std::bad_alloc; strings that are not valid UTF-8 are encoded with U+FFFD in their place.
std::string encode_ok(std::optional<std::int64_t> seq);                        ///< ping, unregister
std::string encode_container(std::optional<std::int64_t> seq, const Entry& e); ///< register, get
std::string encode_containers(std::optional<std::int64_t> seq, const std::vector<Entry>& list);
std::string encode_status(std::optional<std::int64_t> seq, const DaemonStatus& status);
std::string encode_error(const ProtocolError& error);

/// Client side: the line for @p request (same guarantees as the response encoders).
std::string encode_request(const Request& request);

/// Client side: decodes one response line. Never throws; a line that is not a well-formed
/// response yields a ProtocolError (bad_json, not_object, missing_field, wrong_type, ...).
/// A well-formed error response is a *successful* decode whose Response::error is set.
Decoded<Response> decode_response(std::string_view line) noexcept;

} // namespace lensfs
