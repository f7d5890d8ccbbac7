// lensfs: the daemon. Thin: options, checks, wiring; the work is in the modules.
#include <cstdio>
#include <exception>

#include "cgroup/layout.hpp"
#include "daemon/options.hpp"
#include "daemon/preflight.hpp"
#include "fuse/filesystem.hpp"
#include "host/host_proc.hpp"
#include "util/log.hpp"
#include "view/engine.hpp"

namespace {

using namespace lensfs;

Result<cgroup::Layout> load_layout(const daemon::Options& o) {
    return o.cgroup_root.empty() ? cgroup::Layout::discover()
                                 : cgroup::Layout::from_root(o.cgroup_root);
}

int run(const daemon::Options& o) {
    log_configure(o.debug ? LogLevel::debug : LogLevel::info,
                  o.foreground ? LogSink::stderr_stream : LogSink::syslog);
    if (Status st = daemon::preflight(o.mountpoint); !st) {
        std::fprintf(stderr, "lensfs: %s\n", st.error().message().c_str());
        return 1;
    }
    auto layout = load_layout(o);
    if (!layout) {
        std::fprintf(stderr, "lensfs: cannot find cgroups: %s\n",
                     layout.error().message().c_str());
        return 1;
    }
    auto proc = host::HostProc::open("/proc");
    if (!proc) {
        std::fprintf(stderr, "lensfs: %s\n", proc.error().message().c_str());
        return 1;
    }
    log_info("lensfs {} starting; {}", LENSFS_VERSION, layout->describe());
    view::Engine engine(std::move(*layout), std::move(*proc),
                        view::Options{o.cpu_quota_view});
    fuse::MountOptions mount{o.mountpoint, o.foreground, o.fuse_debug, o.threads, !o.direct_io};
    return fuse::serve(engine, mount);
}

} // namespace

int main(int argc, char** argv) {
    try {
        auto options = daemon::parse_options(argc, argv);
        if (!options) {
            std::fprintf(stderr, "lensfs: %s\n", options.error().context.c_str());
            return 2;
        }
        if (options->help) {
            std::fputs(daemon::usage_text(), stdout);
            return 0;
        }
        if (options->version) {
            std::printf("lensfs %s\n", LENSFS_VERSION);
            return 0;
        }
        return run(*options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lensfs: fatal: %s\n", e.what());
        return 1;
    }
}
