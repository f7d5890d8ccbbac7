#include <nlohmann/json.hpp>

#include "protocol/protocol.hpp"

namespace lensfs {

namespace {

// Insertion-ordered, so "ok" and "seq" lead every line a human reads.
using ojson = nlohmann::ordered_json;

std::string to_line(const ojson& doc) {
    // replace: a string that is not UTF-8 must not turn an answer into an exception.
    std::string line = doc.dump(-1, ' ', false, ojson::error_handler_t::replace);
    line += '\n';
    return line;
}

ojson start_time_json(double boottime_s, double wall_s) {
    return ojson{{"boottime", boottime_s}, {"wall", wall_s}};
}

ojson container_json(const Entry& e) {
    ojson j{{"id", e.id}, {"cgroup", e.cgroup}};
    if (e.init_pid) {
        j["pid"] = *e.init_pid;
    }
    j["start_time"] = start_time_json(e.start_boottime_s, e.start_wall_s);
    j["annotations"] = ojson(e.annotations);
    return j;
}

ojson ok_head(std::optional<std::int64_t> seq) {
    ojson j{{"ok", true}};
    if (seq) {
        j["seq"] = *seq;
    }
    return j;
}

ojson register_json(const RegisterRequest& r) {
    ojson j{{"id", r.id}};
    if (r.cgroup) {
        j["cgroup"] = *r.cgroup;
    }
    if (r.pid) {
        j["pid"] = *r.pid;
    }
    if (r.start_time) {
        ojson time = ojson::object();
        if (r.start_time->boottime_s) {
            time["boottime"] = *r.start_time->boottime_s;
        }
        if (r.start_time->wall_s) {
            time["wall"] = *r.start_time->wall_s;
        }
        j["start_time"] = std::move(time);
    }
    if (!r.annotations.empty()) {
        j["annotations"] = ojson(r.annotations);
    }
    return j;
}

// The fields after "op" and "seq" for each kind of request.
ojson request_fields(const RequestBody& body) {
    if (const auto* r = std::get_if<RegisterRequest>(&body)) {
        return register_json(*r);
    }
    if (const auto* r = std::get_if<UnregisterRequest>(&body)) {
        return ojson{{"id", r->id}};
    }
    if (const auto* r = std::get_if<GetRequest>(&body)) {
        return ojson{{"id", r->id}};
    }
    return ojson::object();
}

} // namespace

std::string encode_ok(std::optional<std::int64_t> seq) {
    return to_line(ok_head(seq));
}

std::string encode_container(std::optional<std::int64_t> seq, const Entry& e) {
    ojson j = ok_head(seq);
    j["container"] = container_json(e);
    return to_line(j);
}

std::string encode_containers(std::optional<std::int64_t> seq, const std::vector<Entry>& list) {
    ojson items = ojson::array();
    for (const Entry& e : list) {
        items.push_back(container_json(e));
    }
    ojson j = ok_head(seq);
    j["containers"] = std::move(items);
    return to_line(j);
}

std::string encode_status(std::optional<std::int64_t> seq, const DaemonStatus& s) {
    ojson j = ok_head(seq);
    j["status"] = ojson{
        {"version", s.version},
        {"pid", s.pid},
        {"start_time", start_time_json(s.start_boottime_s, s.start_wall_s)},
        {"containers", s.containers},
        {"keeper_pid", s.keeper_pid},
        {"generation", s.generation},
        {"open_files", s.open_files},
        {"mount", s.mount},
        {"seccomp_socket", s.seccomp_socket},
        {"reads", ojson(s.reads)},
        {"errors", ojson(s.errors)},
    };
    return to_line(j);
}

std::string encode_error(const ProtocolError& error) {
    ojson j{{"ok", false}};
    if (error.seq) {
        j["seq"] = *error.seq;
    }
    j["error"] = ojson{{"code", error_code_name(error.code)}, {"message", error.message}};
    return to_line(j);
}

std::string encode_request(const Request& request) {
    ojson j{{"op", op_name(request.body)}};
    if (request.seq) {
        j["seq"] = *request.seq;
    }
    j.update(request_fields(request.body));
    return to_line(j);
}

} // namespace lensfs
