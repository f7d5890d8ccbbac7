#include <limits>

#include <fmt/format.h>

#include "protocol/json_fields.hpp"
#include "protocol/protocol.hpp"

namespace lensfs {

namespace {

using protocol_detail::Fields;
using protocol_detail::json;
using protocol_detail::Need;

constexpr auto kSeqMin = std::numeric_limits<std::int64_t>::min();
constexpr auto kSeqMax = std::numeric_limits<std::int64_t>::max();

struct Times {
    double boottime_s = 0;
    double wall_s = 0;
};

std::optional<Times> read_times(Fields& fields) {
    return fields.nested("start_time", Need::required, [](Fields& inner) {
        auto boottime = inner.seconds("boottime", Need::required);
        auto wall = inner.seconds("wall", Need::required);
        return inner.failed() ? std::nullopt : std::optional<Times>(Times{*boottime, *wall});
    });
}

// Types only: the daemon validated the entry before storing it, and a client should still
// show an entry a newer daemon accepts under looser rules.
std::optional<Entry> read_container(Fields& f) {
    Entry e;
    auto id = f.text("id", Need::required);
    auto cgroup = f.text("cgroup", Need::required);
    auto pid = f.integer("pid", Need::optional, 1, kMaxPid);
    auto times = read_times(f);
    auto annotations = f.string_map("annotations", Need::optional);
    if (f.failed()) {
        return std::nullopt;
    }
    e.id = std::move(*id);
    e.cgroup = std::move(*cgroup);
    if (pid) {
        e.init_pid = static_cast<pid_t>(*pid);
    }
    e.start_boottime_s = times->boottime_s;
    e.start_wall_s = times->wall_s;
    e.annotations = std::move(annotations).value_or(std::map<std::string, std::string>{});
    return e;
}

std::optional<std::vector<Entry>> read_containers(Fields& top, const json& list) {
    std::vector<Entry> out;
    out.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::string prefix = fmt::format("containers[{}].", i);
        if (!list[i].is_object()) {
            top.fail(ErrorCode::wrong_type, fmt::format("field '{}' must be an object",
                                                        prefix.substr(0, prefix.size() - 1)));
            return std::nullopt;
        }
        Fields inner(list[i], prefix);
        auto entry = read_container(inner);
        top.adopt(inner);
        if (!entry) {
            return std::nullopt;
        }
        out.push_back(std::move(*entry));
    }
    return out;
}

std::optional<DaemonStatus> read_status(Fields& f) {
    DaemonStatus s;
    auto version = f.text("version", Need::required);
    auto pid = f.integer("pid", Need::required, 0, kMaxPid);
    auto times = read_times(f);
    auto containers = f.count("containers", Need::required);
    auto keeper = f.integer("keeper_pid", Need::optional, 0, kMaxPid);
    auto generation = f.count("generation", Need::optional);
    auto open_files = f.count("open_files", Need::optional);
    auto mount = f.text("mount", Need::optional);
    auto seccomp_socket = f.text("seccomp_socket", Need::optional);
    auto reads = f.count_map("reads", Need::optional);
    auto errors = f.count_map("errors", Need::optional);
    if (f.failed()) {
        return std::nullopt;
    }
    s.version = std::move(*version);
    s.pid = static_cast<pid_t>(*pid);
    s.start_boottime_s = times->boottime_s;
    s.start_wall_s = times->wall_s;
    s.containers = *containers;
    s.keeper_pid = static_cast<pid_t>(keeper.value_or(0));
    s.generation = generation.value_or(0);
    s.open_files = open_files.value_or(0);
    s.mount = std::move(mount).value_or("");
    s.seccomp_socket = std::move(seccomp_socket).value_or("");
    s.reads = std::move(reads).value_or(std::map<std::string, std::uint64_t>{});
    s.errors = std::move(errors).value_or(std::map<std::string, std::uint64_t>{});
    return s;
}

std::optional<ProtocolError> read_error(Fields& f) {
    auto code = f.text("code", Need::required);
    auto message = f.text("message", Need::required);
    if (f.failed()) {
        return std::nullopt;
    }
    // A code from a newer daemon is still a failure; keep its name in the message.
    auto known = parse_error_code(*code);
    std::string text =
        known ? std::move(*message) : fmt::format("{} ({})", *message, quoted_excerpt(*code));
    return ProtocolError{known.value_or(ErrorCode::internal), std::move(text), std::nullopt};
}

Decoded<Response> decode_object(const json& doc) {
    Fields top(doc, "");
    Response r;
    r.seq = top.integer("seq", Need::optional, kSeqMin, kSeqMax);
    auto ok = top.flag("ok", Need::required);
    if (ok && !*ok) {
        r.error = top.nested("error", Need::required, read_error);
        if (r.error) {
            r.error->seq = r.seq;
        }
    } else if (ok) {
        r.container = top.nested("container", Need::optional, read_container);
        if (const json* list = top.array("containers", Need::optional)) {
            r.containers = read_containers(top, *list);
        }
        r.status = top.nested("status", Need::optional, read_status);
    }
    if (top.failed()) {
        return top.error();
    }
    return r;
}

} // namespace

Decoded<Response> decode_response(std::string_view line) noexcept {
    // As in decode_request: only allocations can throw, and the fallbacks fit inline.
    return protocol_detail::decode_line<Response>(
        line, 0, "response", [](const json& doc) { return decode_object(doc); });
}

} // namespace lensfs
