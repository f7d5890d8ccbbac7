#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "render/render.hpp"
#include "util/parse.hpp"

namespace lensfs::render {

namespace {

constexpr std::uint64_t kSectorBytes = 512;
constexpr std::uint64_t kNsPerMs = 1'000'000;
/// Fields after the name on kernels since 5.5 (4.18 to 5.4: 15, before: 11).
constexpr std::size_t kFields = 17;

/// The kernel prints times as 32-bit millisecond counters that wrap.
std::uint64_t ms(std::uint64_t ns) {
    return static_cast<std::uint32_t>(ns / kNsPerMs);
}

/// Block/stat.rst's fields for the I/O a cgroup did on a device. What the cgroup does not
/// account is 0: requests in flight, flushes, and (without the schedulers' debug statistics)
/// merges and times. Time spent reading is queue wait plus service; "time doing I/O" is the
/// service time (an upper bound when requests overlap).
std::array<std::uint64_t, kFields> fields_for(const DeviceIo& io) {
    auto ns = [&](std::uint64_t IoDirections::*dir) {
        return io.service_ns.*dir + io.wait_ns.*dir;
    };
    std::uint64_t read_ns = ns(&IoDirections::read);
    std::uint64_t write_ns = ns(&IoDirections::write);
    std::uint64_t discard_ns = ns(&IoDirections::discard);
    std::uint64_t busy_ns = io.service_ns.read + io.service_ns.write + io.service_ns.discard;
    // One row per four fields, as in Documentation/admin-guide/iostats.rst.
    // clang-format off
    return {io.ios.read,    io.merged.read,    io.bytes.read / kSectorBytes,    ms(read_ns),
            io.ios.write,   io.merged.write,   io.bytes.write / kSectorBytes,   ms(write_ns),
            0,              ms(busy_ns),       ms(read_ns + write_ns + discard_ns),
            io.ios.discard, io.merged.discard, io.bytes.discard / kSectorBytes, ms(discard_ns),
            0,              0};
    // clang-format on
}

const DeviceIo* find(const std::vector<DeviceIo>& io, std::uint64_t major, std::uint64_t minor) {
    auto it = std::find_if(io.begin(), io.end(), [&](const DeviceIo& d) {
        return d.major == major && d.minor == minor && d.has_io();
    });
    return it == io.end() ? nullptr : &*it;
}

/// One host line: "MAJOR MINOR NAME FIELDS..." -> the container's line with as many fields,
/// all 0 for a device the container did no I/O on (the kernel lists every device, and tools
/// such as iostat and psutil find the disks by their lines).
void append_line(std::string_view line, const std::vector<DeviceIo>& io, std::string& out) {
    std::string_view rest = line;
    auto major = parse_u64(next_word(rest));
    auto minor = parse_u64(next_word(rest));
    std::string_view name = next_word(rest);
    if (!major || !minor || name.empty()) {
        return;
    }
    std::size_t count = 0;
    while (!next_word(rest).empty()) {
        ++count;
    }
    const DeviceIo* dev = find(io, *major, *minor);
    std::array<std::uint64_t, kFields> fields{};
    if (dev != nullptr) {
        fields = fields_for(*dev);
    }
    auto it = std::back_inserter(out);
    fmt::format_to(it, FMT_COMPILE("{:4} {:7} {}"), *major, *minor, name);
    for (std::size_t i = 0; i < count; ++i) {
        fmt::format_to(it, FMT_COMPILE(" {}"), i < kFields ? fields[i] : 0);
    }
    out.push_back('\n');
}

} // namespace

void diskstats(std::string_view host_diskstats, const std::vector<DeviceIo>& io,
               std::string& out) {
    for_each_line(host_diskstats, [&](std::string_view line) { append_line(line, io, out); });
}

} // namespace lensfs::render
