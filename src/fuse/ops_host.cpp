// Host entries of /sys/devices/system/cpu. A container's cpuK is the host's cpu<K-th visible
// CPU>: the same host entry, so everything below it is the host's, except the CPU lists and
// masks inside it, which files.cpp renumbers for the viewer.
#include "fuse/ops_internal.hpp"
#include "view/sys_cpu.hpp"

namespace lensfs::fuse {

struct stat host_attributes(const struct stat& host, std::uint64_t ino) {
    struct stat st = host;
    st.st_ino = ino;
    // The tree is read-only whatever the host allows. Root ignores modes, so open() refuses
    // writes as well; the modes tell everyone else up front. A symlink's mode means nothing.
    if (!S_ISLNK(st.st_mode)) {
        st.st_mode &= ~static_cast<mode_t>(S_IWUSR | S_IWGRP | S_IWOTH);
    }
    return st;
}

int host_lookup(fuse_req_t req, std::uint64_t tree, const std::string& rel, double timeout) {
    Context& cx = context_of(req);
    auto st = cx.host.dir().stat(rel);
    if (!st) {
        return st.error().code;
    }
    auto local = cx.host.local_of(rel);
    if (!local) {
        return local.error().code;
    }
    fuse_entry_param e{};
    e.ino = ino_of({tree, *local});
    e.attr = host_attributes(*st, e.ino);
    e.attr_timeout = kShortTimeout;
    e.entry_timeout = timeout;
    fuse_reply_entry(req, &e);
    return 0;
}

int cpu_dir_lookup(fuse_req_t req, std::uint64_t tree, std::string_view name) {
    // Only cpuN depends on the viewer; the cost of finding it is paid for those alone.
    bool per_viewer = view::cpu_dir_number(name).has_value();
    std::optional<CpuSet> cpus;
    double timeout = kShortTimeout;
    if (per_viewer) {
        auto viewer = viewer_for(req, tree);
        if (!viewer) {
            return viewer.error().code;
        }
        cpus = visible_cpus_of(context_of(req), *viewer);
        timeout = viewer->per_reader ? kPerReaderTimeout : kShortTimeout;
    }
    auto host_name = view::host_entry_for(name, cpus ? &*cpus : nullptr);
    if (!host_name) {
        return ENOENT;
    }
    return host_lookup(req, tree, *host_name, timeout);
}

int host_getattr(fuse_req_t req, NodeId id) {
    Context& cx = context_of(req);
    return cx.host.with_path(id.local, [&](const std::string& rel) {
        auto st = cx.host.dir().stat(rel);
        if (st) {
            struct stat attr = host_attributes(*st, ino_of(id));
            fuse_reply_attr(req, &attr, kShortTimeout);
        }
        return st ? 0 : st.error().code;
    });
}

int host_readlink(fuse_req_t req, NodeId id) {
    Context& cx = context_of(req);
    // Relative targets such as ../../node/node0 resolve into the reader's real /sys when the
    // directory is bind-mounted over /sys/devices/system/cpu, which is where they belong.
    return cx.host.with_path(id.local, [&](const std::string& rel) {
        auto target = cx.host.dir().readlink(rel);
        if (target) {
            fuse_reply_readlink(req, target->c_str());
        }
        return target ? 0 : target.error().code;
    });
}

} // namespace lensfs::fuse
