#pragma once

#include <cstddef>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "model/io.hpp"
#include "util/result.hpp"

/// Pure parsers of cgroup I/O accounting and task lists. No I/O; garbage gives EINVAL.
namespace lensfs::cgroup {

/// Which DeviceIo counter a v1 blkio file fills.
using IoField = IoDirections DeviceIo::*;

/// A v1 blkio statistics file (io_service_bytes, io_serviced, io_service_time, io_wait_time,
/// io_merged, their _recursive forms, and the throttle.* ones): "MAJ:MIN Op VALUE" lines with
/// Op one of Read, Write, Sync, Async, Discard, Total, and a closing "Total VALUE". Read, Write
/// and Discard go into @p field of the device's entry in @p devices (added when new); the
/// rest is ignored.
Status parse_blkio(std::string_view text, IoField field, std::vector<DeviceIo>& devices);

/// A v2 io.stat file: "MAJ:MIN key=value ..." lines. rbytes, wbytes, dbytes, rios, wios and
/// dios fill DeviceIo::bytes and ::ios; other keys (io.cost and io.latency statistics) are
/// ignored.
Status parse_io_stat(std::string_view text, std::vector<DeviceIo>& devices);

/// A task list (v1 "tasks", v2 "cgroup.threads" or "cgroup.procs"): one id per line. Appends
/// at most @p limit - out.size() ids to @p out; the rest are counted in @p skipped.
Status parse_task_ids(std::string_view text, std::vector<pid_t>& out, std::size_t limit,
                      std::size_t& skipped);

} // namespace lensfs::cgroup
