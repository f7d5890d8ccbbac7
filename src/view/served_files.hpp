#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

/// The table of every file lensfs serves. Adding a file is one row here, one gather function
/// (view/gather.hpp) and one renderer (render/): the shared tree, the per-container trees, the
/// OCI hook's bind mounts and `lensctl show` all read this table.
namespace lensfs::view {

struct Gather;

/// Computes a file's text for one container into the output (already cleared).
using GatherFn = void (*)(Gather& g, std::string& out);

/// One served file.
struct ServedFile {
    /// Below the mount point (and below a container's root), e.g. "proc/meminfo". The host's
    /// own file is "/" + path; a host reader gets it unchanged.
    std::string_view path;
    /// Permission bits: the kernel's for the file it stands for. 0444 for all but slabinfo,
    /// which the kernel keeps 0400 (root only) because slab addresses and counts help kernel
    /// heap exploits; lensfs serves the host's slabinfo when the cgroup has none, so a wider
    /// mode would hand it to every unprivileged reader.
    unsigned mode;
    GatherFn gather;
    /// The OCI hook bind-mounts it over the container's own file.
    bool bind_mount;
};

/// Every served file, in a fixed order (a file's position is its index for counters).
std::span<const ServedFile> served_files();

/// The file at @p path ("proc/meminfo" or "/proc/meminfo"), if lensfs serves it.
const ServedFile* served_file(std::string_view path);

/// The position of @p file in served_files().
std::size_t served_index(const ServedFile& file);

} // namespace lensfs::view
