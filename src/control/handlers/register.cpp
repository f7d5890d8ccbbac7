// register: builds the entry (cgroup and start time filled in from the pid when the client
// left them out) and stores it.
#include <cerrno>
#include <utility>

#include <fmt/format.h>

#include "control/handlers.hpp"
#include "control/process_facts.hpp"
#include "protocol/protocol.hpp"
#include "util/clock.hpp"
#include "util/log.hpp"

namespace lensfs::control {

namespace {

// A start time this far after now is a client's mistake, not clock jitter.
constexpr double kFutureSlackS = 1.0;

struct StartTimes {
    double boottime_s = 0;
    double wall_s = 0;
};

ProtocolError process_failure(const Error& error, std::optional<std::int64_t> seq) {
    ErrorCode code = error.code == ESRCH || error.code == EINVAL || error.code == ENOENT
                         ? ErrorCode::invalid_value
                         : ErrorCode::internal;
    return ProtocolError{code, error.context, seq};
}

// Whether @p path is @p root or below it.
bool at_or_below(std::string_view path, std::string_view root) {
    return path.substr(0, root.size()) == root &&
           (path.size() == root.size() || root == "/" || path[root.size()] == '/');
}

Decoded<std::string> cgroup_for(const RegisterRequest& r, std::optional<std::int64_t> seq,
                                const Services& s) {
    if (r.cgroup) {
        // The root cgroup holds every process of the host: registering it would give them
        // all one container's view.
        if (*r.cgroup == "/") {
            return ProtocolError{ErrorCode::invalid_value,
                                 "cgroup \"/\" is the host's root cgroup, not a container's", seq};
        }
        // A given init must be inside the given cgroup: else the registration would pin a
        // start time on processes of some other container.
        if (r.pid) {
            auto actual = container_cgroup_of(s.proc, s.layout, *r.pid);
            if (actual && !at_or_below(*actual, *r.cgroup)) {
                return ProtocolError{ErrorCode::invalid_value,
                                     fmt::format("pid {} is in cgroup {}, not in or below {}",
                                                 *r.pid, *actual, *r.cgroup),
                                     seq};
            }
        }
        return *r.cgroup;
    }
    // The protocol layer guarantees a pid when the cgroup is absent.
    auto cg = container_cgroup_of(s.proc, s.layout, r.pid.value_or(0));
    if (!cg) {
        return process_failure(cg.error(), seq);
    }
    return std::move(*cg);
}

Decoded<StartTimes> given_start(const StartTime& t, std::optional<std::int64_t> seq) {
    double offset = wall_minus_boottime();
    StartTimes out;
    out.boottime_s = t.boottime_s ? *t.boottime_s : t.wall_s.value_or(0) - offset;
    out.wall_s = t.wall_s ? *t.wall_s : out.boottime_s + offset;
    if (out.boottime_s < 0) {
        return ProtocolError{ErrorCode::invalid_value, "start_time.wall is before the host booted",
                             seq};
    }
    if (out.boottime_s > boottime_now() + kFutureSlackS) {
        return ProtocolError{ErrorCode::invalid_value, "start_time is in the future", seq};
    }
    return out;
}

// The client's start time; else the init pid's start; else now. A given pid must exist.
Decoded<StartTimes> start_for(const RegisterRequest& r, std::optional<std::int64_t> seq,
                              const Services& s) {
    std::optional<double> pid_start;
    if (r.pid) {
        auto start = start_boottime_of(s.proc, *r.pid);
        if (!start) {
            return process_failure(start.error(), seq);
        }
        pid_start = *start;
    }
    if (r.start_time) {
        return given_start(*r.start_time, seq);
    }
    double boottime = pid_start ? *pid_start : boottime_now();
    return StartTimes{boottime, boottime + wall_minus_boottime()};
}

Decoded<Entry> build_entry(const RegisterRequest& r, std::optional<std::int64_t> seq,
                           const Services& s) {
    auto start = start_for(r, seq, s);
    if (!start) {
        return std::move(start).error();
    }
    auto cgroup = cgroup_for(r, seq, s);
    if (!cgroup) {
        return std::move(cgroup).error();
    }
    Entry e;
    e.id = r.id;
    e.cgroup = std::move(*cgroup);
    e.init_pid = r.pid;
    e.start_boottime_s = start->boottime_s;
    e.start_wall_s = start->wall_s;
    e.annotations = r.annotations;
    return e;
}

} // namespace

std::string handle_register(const Request& request, HandlerContext& context) {
    const auto& r = std::get<RegisterRequest>(request.body);
    auto entry = build_entry(r, request.seq, context.services);
    if (!entry) {
        return reply_error(context, std::move(entry).error());
    }
    // The container's CPU time counts from its registration, unless it was registered with
    // this cgroup before: a repeated registration keeps the first baseline.
    auto old = context.services.registry.get(entry->id);
    if (old && old->cgroup == entry->cgroup && old->cpu_baseline) {
        entry->cpu_baseline = old->cpu_baseline;
    } else if (context.services.baseline) {
        entry->cpu_baseline = context.services.baseline(entry->cgroup);
    }
    if (Status st = context.services.registry.upsert(*entry); !st) {
        return reply_error(context, to_protocol_error(st.error(), request.seq));
    }
    log_info("registered container {} (cgroup {}, {}started {:.1f} s ago)", entry->id,
             entry->cgroup, entry->init_pid ? fmt::format("pid {}, ", *entry->init_pid) : "",
             boottime_now() - entry->start_boottime_s);
    return encode_container(request.seq, *entry);
}

} // namespace lensfs::control
