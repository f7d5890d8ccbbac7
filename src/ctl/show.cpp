// lensctl show: what a container would read from lensfs, computed in this process with the
// daemon's own view::Engine. No mount and no daemon needed; the daemon, when it answers,
// only contributes its registry, so that registered containers get the same boundary and
// start time as in the daemon.
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <signal.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ctl/commands.hpp"
#include "model/boundary.hpp"
#include "model/entry.hpp"
#include "util/clock.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "view/engine.hpp"

namespace lensfs::ctl {

namespace {

// The registry's boundary rule (model/boundary.hpp) over a list fetched from the daemon.
view::ContainerLookup lookup_over(std::vector<Entry> entries) {
    auto list = std::make_shared<const std::vector<Entry>>(std::move(entries));
    return [list](std::string_view cgroup) -> std::optional<ContainerRecord> {
        const Entry* best = longest_containing(*list, cgroup);
        return best ? std::optional<ContainerRecord>(best->record()) : std::nullopt;
    };
}

Result<std::unique_ptr<view::Engine>> make_engine(const Options& o) {
    auto layout = o.cgroup_root.empty() ? cgroup::Layout::discover()
                                        : cgroup::Layout::from_root(o.cgroup_root);
    if (!layout) {
        return Error{layout.error().code, "cannot find cgroups: " + layout.error().message()};
    }
    auto proc = host::HostProc::open("/proc");
    if (!proc) {
        return std::move(proc).error();
    }
    return std::make_unique<view::Engine>(std::move(*layout), std::move(*proc),
                                          view::Options{o.cpu_quota_view});
}

double start_boottime(const std::optional<StartTime>& t) {
    if (!t) {
        return 0;
    }
    if (t->boottime_s) {
        return *t->boottime_s;
    }
    double now_wall = wall_now();
    return std::max(0.0, boottime_now() - (now_wall - t->wall_s.value_or(now_wall)));
}

// Whom to render for: the container of --pid, --cgroup or --id.
Result<view::Container> resolve(const Options& o, view::Engine& engine, const Entry* entry) {
    if (o.pid) {
        if (::kill(*o.pid, 0) != 0 && errno == ESRCH) {
            return Error{ESRCH, fmt::format("no process {}", *o.pid)};
        }
        return engine.resolve_pid(*o.pid);
    }
    if (entry != nullptr) {
        return engine.resolve_cgroup(entry->cgroup, entry->start_boottime_s);
    }
    if (Status st = validate_cgroup(*o.cgroup); !st) {
        return std::move(st).error();
    }
    return engine.resolve_cgroup(*o.cgroup, start_boottime(o.start_time));
}

std::string show_json(const Options& o, const view::Container& c, const std::string& text) {
    nlohmann::json cgroups = nlohmann::json::object();
    if (c.cgroups.unified) {
        cgroups["unified"] = *c.cgroups.unified;
    }
    for (std::size_t i = 0; i < c.cgroups.v1.size(); ++i) {
        if (c.cgroups.v1[i]) {
            cgroups[std::string(cgroup::controller_name(static_cast<cgroup::Controller>(i)))] =
                *c.cgroups.v1[i];
        }
    }
    nlohmann::json j = {{"file", std::string(view::served_file(o.file)->path)},
                        {"source", std::string(view::source_name(c.source))},
                        {"id", c.id},
                        {"cgroups", std::move(cgroups)},
                        {"start_boottime", c.start_boottime_s},
                        {"content", text}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

int fail(const std::string& text, int status) {
    std::fputs(fmt::format("lensctl: {}\n", text).c_str(), stderr);
    return status;
}

// --id: what the container reads is its own tree's file in the daemon's mount; read it there
// when the daemon says where it mounts and the file can be read.
std::optional<std::string> read_from_tree(const Options& o, const view::ServedFile& file) {
    int status = kExitOk;
    auto r = ask(o, StatusRequest{}, status, /*quiet=*/true);
    if (!r || !r->status || r->status->mount.empty()) {
        return std::nullopt;
    }
    auto text = read_file(fmt::format("{}/containers/{}/{}", r->status->mount, o.id, file.path));
    if (!text) {
        return std::nullopt;
    }
    return std::move(*text);
}

} // namespace

int run_show(const Options& o) {
    const view::ServedFile* file = view::served_file(o.file);
    if (file == nullptr) {
        std::string served;
        for (const view::ServedFile& f : view::served_files()) {
            served += fmt::format("{}{}", served.empty() ? "" : ", ", f.path);
        }
        return fail(fmt::format("lensfs serves no file '{}' (it serves {})", o.file, served),
                    kExitUsage);
    }
    int status = kExitOk;
    std::optional<Entry> entry;
    if (!o.id.empty()) {
        auto got = ask(o, GetRequest{o.id}, status);
        if (!got) {
            return status;
        }
        entry = std::move(got->container);
        if (!o.json) {
            if (auto text = read_from_tree(o, *file)) {
                std::fputs(text->c_str(), stdout);
                return kExitOk;
            }
        }
    }
    log_configure(LogLevel::warning, LogSink::stderr_stream);
    auto engine = make_engine(o);
    if (!engine) {
        return fail(engine.error().message(), kExitFailed);
    }
    if (auto listed = ask(o, ListRequest{}, status, /*quiet=*/true); listed && listed->containers) {
        (*engine)->set_lookup(lookup_over(std::move(*listed->containers)));
    }
    auto container = resolve(o, **engine, entry ? &*entry : nullptr);
    if (!container) {
        return fail(container.error().message(), kExitFailed);
    }
    std::string text;
    (*engine)->render(*file, *container, text);
    std::fputs((o.json ? show_json(o, *container, text) : text).c_str(), stdout);
    return kExitOk;
}

} // namespace lensfs::ctl
