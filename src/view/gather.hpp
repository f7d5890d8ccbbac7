#pragma once

// The gather step of one read: reads one container's facts through cgroup/ and host/ and hands
// them to the pure renderers. Private to view/: served_files.cpp maps each file to one of these.

#include <string>
#include <string_view>

#include "model/cpu.hpp"
#include "model/memory.hpp"
#include "util/result.hpp"

namespace lensfs::view {

class Engine;
struct Container;
struct FileCounters;

/// One read of one file by one container. Each function writes the file's text into @p out
/// (cleared by the caller); what cannot be read falls back to the host's values and is
/// counted and logged.
struct Gather {
    Engine& e;
    const Container& c;
    FileCounters& counters;
    std::string_view path; ///< the file's path below the mount, for messages

    void meminfo(std::string& out);
    void cpuinfo(std::string& out);
    void stat(std::string& out);
    void uptime(std::string& out);
    void swaps(std::string& out);
    void loadavg(std::string& out);
    void diskstats(std::string& out);
    void slabinfo(std::string& out);
    /// The cgroup2 group's pressure file @p file ("cpu.pressure", ...).
    void pressure(const char* file, std::string& out);
    /// online, present, possible: every visible CPU, renumbered from 0.
    void cpu_list(std::string& out);

    /// The host's own file, unchanged: what a host reader gets, and the fallback.
    void host_file(std::string& out);

private:
    void fallback(const Error& error);
    Result<CpuUsage> container_usage(std::size_t cpus);
    void hide_swap(MemoryStats& mem) const;
    CpuSet visible();
    [[nodiscard]] double uptime_s() const;
};

} // namespace lensfs::view
