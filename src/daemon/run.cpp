#include "daemon/run.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <unistd.h>

#include "cgroup/layout.hpp"
#include "control/listener.hpp"
#include "control/server.hpp"
#include "daemon/background.hpp"
#include "daemon/preflight.hpp"
#include "daemon/registry_wiring.hpp"
#include "fuse/filesystem.hpp"
#include "host/host_proc.hpp"
#include "registry/registry.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "view/engine.hpp"

namespace lensfs::daemon {

namespace {

constexpr std::chrono::seconds kPruneInterval{60};
// The kernel samples its load average every 5 s; the containers' averages follow the same clock.
constexpr std::chrono::seconds kLoadavgInterval{5};

int fail(const std::string& message) {
    std::fprintf(stderr, "lensfs: %s\n", message.c_str());
    return 1;
}

double wall_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

Result<cgroup::Layout> load_layout(const Options& o) {
    return o.cgroup_root.empty() ? cgroup::Layout::discover()
                                 : cgroup::Layout::from_root(o.cgroup_root);
}

/// What run() prepares before serving: everything that can fail with a message on stderr.
struct Setup {
    double started_boottime_s = view::boottime_now();
    double started_wall_s = wall_now();
    std::optional<gid_t> group;
    std::optional<control::Listener> listener;
};

Status open_control(const Options& o, Setup& setup) {
    auto group = resolve_group(o.socket_group);
    if (!group) {
        return std::move(group).error();
    }
    setup.group = *group;
    if (o.control_socket) {
        auto listener = control::open_listener({o.socket, setup.group});
        if (!listener) {
            return std::move(listener).error();
        }
        setup.listener = std::move(*listener);
    }
    if (Status st = ensure_state_dir(o.state_dir); !st) {
        if (setup.listener) {
            control::remove_socket_file(*setup.listener);
        }
        return st;
    }
    return Ok{};
}

using Resolver = std::function<view::Container(pid_t)>;

view::Container host_view(view::Engine& engine) {
    return engine.resolve_cgroup("/", 0);
}

// --view-of: whom every reader sees. A pid or id is looked up at each open, so the view follows
// the process or the registered container; when it is gone the reader gets the host's view.
Resolver view_of_resolver(const ViewOf& v, view::Engine& engine, Registry& registry) {
    switch (v.kind) {
    case ViewOf::Kind::pid:
        return [&engine, pid = v.pid](pid_t) {
            if (::kill(pid, 0) != 0 && errno == ESRCH) {
                static RateLimit limit;
                log_warn_limited(limit, "--view-of pid:{}: no such process, host view", pid);
                return host_view(engine);
            }
            return engine.resolve_pid(pid);
        };
    case ViewOf::Kind::cgroup:
        return [&engine, &registry, path = v.value](pid_t) {
            auto record = registry.longest_containing(path);
            double start = record && record->cgroup == path ? record->start_boottime_s : 0;
            return engine.resolve_cgroup(path, start);
        };
    case ViewOf::Kind::id:
        return [&engine, &registry, id = v.value](pid_t) {
            auto entry = registry.get(id);
            if (!entry) {
                static RateLimit limit;
                log_warn_limited(limit, "--view-of id:{}: not registered, host view", id);
                return host_view(engine);
            }
            return engine.resolve_cgroup(entry->cgroup, entry->start_boottime_s);
        };
    case ViewOf::Kind::none:
        break;
    }
    return {};
}

fuse::Containers containers_of(Registry& registry) {
    fuse::Containers c;
    c.by_slot = [&registry](std::uint64_t slot) { return registry.by_slot(slot); };
    c.by_id = [&registry](std::string_view id) -> std::optional<ContainerRecord> {
        auto entry = registry.get(id);
        return entry ? std::optional(entry->record()) : std::nullopt;
    };
    c.list = [&registry] {
        std::vector<ContainerRecord> out;
        for (const Entry& e : registry.list()) {
            out.push_back(e.record());
        }
        return out;
    };
    return c;
}

// Runs the control server (when there is a socket) beside the FUSE loop, until the loop ends.
int serve(const Options& o, view::Engine& engine, Registry& registry, Setup& setup) {
    control::Services services{registry,
                               engine.layout(),
                               engine.proc(),
                               setup.started_boottime_s,
                               setup.started_wall_s,
                               [&engine](DaemonStatus& s) { report_engine_counters(engine, s); }};
    // The Asio loop runs even without a socket: it drives the load average samples.
    control::ServerConfig config;
    config.group = setup.group;
    config.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
    control::ControlServer server(setup.listener ? std::move(*setup.listener) : control::Listener{},
                                  services, config);
    server.every(kPruneInterval, [&] { prune_registry(registry, engine); });
    server.every(kLoadavgInterval, [&engine] { engine.sample_loadavg(); });
    if (Status st = server.start(); !st) {
        log_error("{}", st.error().message());
        return 1;
    }
    // detach() already did what libfuse's own daemonizing would do.
    fuse::MountOptions mount{o.mountpoint, true, o.fuse_debug, o.threads};
    mount.containers = containers_of(registry);
    mount.resolve = view_of_resolver(o.view_of, engine, registry);
    int rc = fuse::serve(engine, mount);
    server.stop();
    return rc;
}

// The pid file of LXCFS's -p: written once the daemon has its final pid, removed at exit.
class PidFile {
public:
    explicit PidFile(std::string path) : path_(std::move(path)) {
        if (path_.empty()) {
            return;
        }
        if (Status st = write_file_atomic(path_, fmt::format("{}\n", ::getpid()), 0644); !st) {
            log_warn("cannot write pid file {}: {}", path_, st.error().message());
            path_.clear();
        }
    }
    ~PidFile() {
        if (!path_.empty()) {
            ::unlink(path_.c_str());
        }
    }
    PidFile(const PidFile&) = delete;
    PidFile& operator=(const PidFile&) = delete;

private:
    std::string path_;
};

void note_ignored(const Options& o) {
    for (const std::string& opt : o.ignored_fuse_options) {
        log_info("-o {}: accepted for LXCFS compatibility, no effect", opt);
    }
}

} // namespace

int run(const Options& o) {
    log_configure(o.debug ? LogLevel::debug : LogLevel::info,
                  o.foreground ? LogSink::stderr_stream : LogSink::syslog);
    Setup setup;
    if (Status st = preflight(o.mountpoint); !st) {
        return fail(st.error().message());
    }
    auto layout = load_layout(o);
    if (!layout) {
        return fail("cannot find cgroups: " + layout.error().message());
    }
    auto proc = host::HostProc::open("/proc");
    if (!proc) {
        return fail(proc.error().message());
    }
    if (Status st = open_control(o, setup); !st) {
        return fail(st.error().message());
    }
    log_info("lensfs {} starting; {}", LENSFS_VERSION, layout->describe());
    view::Engine engine(std::move(*layout), std::move(*proc),
                        view::Options{o.cpu_quota_view, o.swap});
    Registry registry(o.state_dir);
    load_registry(registry);
    prune_registry(registry, engine);
    engine.set_lookup([&registry](std::string_view cg) { return registry.longest_containing(cg); });
    if (!o.foreground) {
        detach(o.mountpoint);
    }
    note_ignored(o);
    PidFile pidfile(o.pidfile);
    return serve(o, engine, registry, setup);
}

} // namespace lensfs::daemon
