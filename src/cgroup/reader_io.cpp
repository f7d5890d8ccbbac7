// Reader: block I/O accounting (v1 blkio, v2 io.stat).
#include <algorithm>
#include <array>

#include "cgroup/parse_io.hpp"
#include "cgroup/reader.hpp"

namespace lensfs::cgroup {

namespace {

struct BlkioFile {
    const char* name = nullptr;
    IoField field = nullptr;
};

/// One family of v1 blkio statistics; the first file holds the byte counts.
using BlkioSource = std::array<BlkioFile, 5>;

// The proportional-weight schedulers' statistics count requests as the device completes
// them; CFQ (gone since 5.0) and BFQ keep times and merges only in debug builds. The throttle
// statistics count bios as they enter the block layer, before merging and splitting.
constexpr BlkioSource kCfq = {{{"blkio.io_service_bytes_recursive", &DeviceIo::bytes},
                               {"blkio.io_serviced_recursive", &DeviceIo::ios},
                               {"blkio.io_service_time_recursive", &DeviceIo::service_ns},
                               {"blkio.io_wait_time_recursive", &DeviceIo::wait_ns},
                               {"blkio.io_merged_recursive", &DeviceIo::merged}}};
constexpr BlkioSource kBfq = {{{"blkio.bfq.io_service_bytes_recursive", &DeviceIo::bytes},
                               {"blkio.bfq.io_serviced_recursive", &DeviceIo::ios},
                               {"blkio.bfq.io_service_time_recursive", &DeviceIo::service_ns},
                               {"blkio.bfq.io_wait_time_recursive", &DeviceIo::wait_ns},
                               {"blkio.bfq.io_merged_recursive", &DeviceIo::merged}}};
constexpr BlkioSource kThrottleRecursive = {
    {{"blkio.throttle.io_service_bytes_recursive", &DeviceIo::bytes},
     {"blkio.throttle.io_serviced_recursive", &DeviceIo::ios}}};
/// Older kernels have only these, which count the cgroup without its descendants.
constexpr BlkioSource kThrottle = {{{"blkio.throttle.io_service_bytes", &DeviceIo::bytes},
                                    {"blkio.throttle.io_serviced", &DeviceIo::ios}}};

bool has_io(const std::vector<DeviceIo>& devices, const DeviceIo& d) {
    return std::any_of(devices.begin(), devices.end(), [&](const DeviceIo& e) {
        return e.major == d.major && e.minor == d.minor && e.has_io();
    });
}

/// Reads the files of @p source through @p read(name) and adds the devices with I/O that
/// @p out does not have yet. Returns whether any of the files exists.
template <typename ReadFn>
Result<bool> add_source(const BlkioSource& source, ReadFn&& read, std::vector<DeviceIo>& out,
                        std::string& scratch) {
    thread_local std::vector<DeviceIo> found;
    found.clear();
    bool any_file = false;
    for (const BlkioFile& file : source) {
        if (file.name == nullptr || !read(file.name)) {
            continue; // statistics this kernel does not keep
        }
        any_file = true;
        if (Status st = parse_blkio(scratch, file.field, found); !st) {
            return Error{st.error().code, std::string(file.name) + ": " + st.error().context};
        }
    }
    // A device's figures all come from one family: the first that saw I/O on it.
    for (const DeviceIo& dev : found) {
        if (dev.has_io() && !has_io(out, dev)) {
            out.push_back(dev);
        }
    }
    return any_file;
}

} // namespace

Status Reader::blkio_v1(const Where& w, std::vector<DeviceIo>& out, std::string& scratch) {
    auto read = [&](const char* name) {
        return bool(dirs_.read(w.hierarchy, w.path, name, scratch));
    };
    for (const BlkioSource* source : {&kCfq, &kBfq, &kThrottleRecursive}) {
        auto found = add_source(*source, read, out, scratch);
        if (!found) {
            return std::move(found).error();
        }
        if (source == &kThrottleRecursive && !*found) {
            if (auto plain = add_source(kThrottle, read, out, scratch); !plain) {
                return std::move(plain).error();
            }
        }
    }
    return Ok{};
}

Result<std::vector<DeviceIo>> Reader::block_io(const ProcCgroups& cg, std::string& scratch) {
    auto where = locate(Controller::blkio, cg);
    if (!where) {
        return std::move(where).error();
    }
    std::vector<DeviceIo> devices;
    if (!where->v2) {
        if (Status st = blkio_v1(*where, devices, scratch); !st) {
            return std::move(st).error();
        }
        return devices;
    }
    if (Status st = dirs_.read(where->hierarchy, where->path, "io.stat", scratch); !st) {
        return std::move(st).error();
    }
    if (Status st = parse_io_stat(scratch, devices); !st) {
        return std::move(st).error();
    }
    return devices;
}

} // namespace lensfs::cgroup
