// Host entries of /sys/devices/system/cpu, passed through read-only. A container's cpuK is the
// host's cpu<K-th visible CPU>: the same inode, so everything below it is the host's as is.
#include <fcntl.h>
#include <memory>

#include "fuse/ops_internal.hpp"
#include "view/engine.hpp"

namespace lensfs::fuse {

std::optional<CpuSet> reader_cpus(fuse_req_t req) {
    Context& cx = context_of(req);
    view::Container container = cx.container_of(fuse_req_ctx(req)->pid);
    if (container.is_host()) {
        return std::nullopt;
    }
    return cx.engine.visible_cpus(container);
}

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

int host_lookup(fuse_req_t req, const std::string& rel, double entry_timeout) {
    Context& cx = context_of(req);
    auto st = cx.host.stat(rel);
    if (!st) {
        return st.error().code;
    }
    auto ino = cx.host.ino_of(rel);
    if (!ino) {
        return ino.error().code;
    }
    fuse_entry_param e{};
    e.ino = *ino;
    e.attr = host_attributes(*st, *ino);
    e.attr_timeout = kHostTimeout;
    e.entry_timeout = entry_timeout;
    fuse_reply_entry(req, &e);
    return 0;
}

int cpu_dir_lookup(fuse_req_t req, std::string_view name) {
    // Only cpuN depends on the reader; the cost of finding the reader is paid for those alone.
    bool per_reader = view::cpu_dir_number(name).has_value();
    std::optional<CpuSet> cpus;
    if (per_reader) {
        cpus = reader_cpus(req);
    }
    auto host_name = view::host_entry_for(name, cpus ? &*cpus : nullptr);
    if (!host_name) {
        return ENOENT;
    }
    return host_lookup(req, *host_name, per_reader ? kPerReaderTimeout : kHostTimeout);
}

int host_getattr(fuse_req_t req, std::uint64_t ino) {
    Context& cx = context_of(req);
    auto rel = cx.host.path_of(ino);
    if (!rel) {
        return ENOENT;
    }
    auto st = cx.host.stat(*rel);
    if (!st) {
        return st.error().code;
    }
    struct stat attr = host_attributes(*st, ino);
    fuse_reply_attr(req, &attr, kHostTimeout);
    return 0;
}

int host_open(fuse_req_t req, std::uint64_t ino, fuse_file_info* fi) {
    Context& cx = context_of(req);
    auto rel = cx.host.path_of(ino);
    if (!rel) {
        return ENOENT;
    }
    if (wants_write(fi->flags)) {
        return EACCES;
    }
    auto fd = cx.host.open(*rel, O_RDONLY);
    if (!fd) {
        return fd.error().code;
    }
    auto file = std::make_unique<OpenFile>();
    file->host = std::move(*fd);
    // sysfs regenerates an attribute on every read from offset 0, as procfs does: the reads
    // go to the host file each time, never to the page cache.
    fi->direct_io = 1;
    fi->keep_cache = 0;
    fi->fh = reinterpret_cast<std::uint64_t>(file.get());
    if (fuse_reply_open(req, fi) == 0) {
        static_cast<void>(file.release()); // owned by the open file until release
    }
    return 0;
}

int host_readlink(fuse_req_t req, std::uint64_t ino) {
    Context& cx = context_of(req);
    auto rel = cx.host.path_of(ino);
    if (!rel) {
        return ENOENT;
    }
    // Relative targets such as ../../node/node0 resolve into the reader's real /sys when the
    // directory is bind-mounted over /sys/devices/system/cpu, which is where they belong.
    auto target = cx.host.readlink(*rel);
    if (!target) {
        return target.error().code;
    }
    fuse_reply_readlink(req, target->c_str());
    return 0;
}

} // namespace lensfs::fuse
