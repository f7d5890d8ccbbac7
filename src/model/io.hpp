#pragma once

#include <cstdint>

namespace lensfs {

/// One block-layer counter split by direction, as cgroup I/O accounting keeps it.
struct IoDirections {
    std::uint64_t read = 0;
    std::uint64_t write = 0;
    std::uint64_t discard = 0;

    [[nodiscard]] bool any() const { return read != 0 || write != 0 || discard != 0; }
    bool operator==(const IoDirections&) const = default;
};

/// The I/O a cgroup did on one block device (whole disk, identified by major:minor), from
/// v1 blkio or v2 io.stat. What a cgroup version does not account stays 0.
struct DeviceIo {
    unsigned major = 0;
    unsigned minor = 0;
    IoDirections bytes;      ///< v1 io_service_bytes, v2 rbytes/wbytes/dbytes
    IoDirections ios;        ///< v1 io_serviced, v2 rios/wios/dios
    IoDirections merged;     ///< v1 io_merged (CFQ/BFQ debug stats only)
    IoDirections service_ns; ///< v1 io_service_time: dispatch to completion
    IoDirections wait_ns;    ///< v1 io_wait_time: time queued before dispatch

    /// Whether the cgroup did any I/O on the device.
    [[nodiscard]] bool has_io() const { return bytes.any() || ios.any(); }
    bool operator==(const DeviceIo&) const = default;
};

} // namespace lensfs
