#include "cgroup/parse_io.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/parse.hpp"

namespace lensfs::cgroup {

namespace {

Error invalid(std::string_view what, std::string_view line) {
    constexpr std::size_t kShown = 60;
    return Error{EINVAL, fmt::format("{}: unexpected line '{}'", what, line.substr(0, kShown))};
}

/// "MAJ:MIN" of a block device.
bool parse_devno(std::string_view word, unsigned& major, unsigned& minor) {
    auto [maj, min] = split_first(word, ':');
    auto a = parse_u64(maj);
    auto b = parse_u64(min);
    // Linux device numbers have 12-bit majors and 20-bit minors.
    if (!a || !b || *a >= (1u << 12) || *b >= (1u << 20)) {
        return false;
    }
    major = static_cast<unsigned>(*a);
    minor = static_cast<unsigned>(*b);
    return true;
}

DeviceIo& device(std::vector<DeviceIo>& devices, unsigned major, unsigned minor) {
    auto it = std::find_if(devices.begin(), devices.end(),
                           [&](const DeviceIo& d) { return d.major == major && d.minor == minor; });
    if (it != devices.end()) {
        return *it;
    }
    DeviceIo& added = devices.emplace_back();
    added.major = major;
    added.minor = minor;
    return added;
}

/// The direction counter an operation name stands for, or nullptr for Sync, Async, Total.
std::uint64_t* direction(IoDirections& dirs, std::string_view op) {
    if (op == "Read") {
        return &dirs.read;
    }
    if (op == "Write") {
        return &dirs.write;
    }
    if (op == "Discard") {
        return &dirs.discard;
    }
    return nullptr;
}

bool known_op(std::string_view op) {
    return op == "Read" || op == "Write" || op == "Discard" || op == "Sync" || op == "Async" ||
           op == "Total";
}

/// The counter of @p dev that an io.stat key names, or nullptr for keys lensfs does not use.
std::uint64_t* io_stat_counter(DeviceIo& dev, std::string_view key) {
    struct Key {
        std::string_view name;
        IoDirections DeviceIo::*field;
        std::uint64_t IoDirections::*dir;
    };
    static constexpr Key kKeys[] = {
        {"rbytes", &DeviceIo::bytes, &IoDirections::read},
        {"wbytes", &DeviceIo::bytes, &IoDirections::write},
        {"dbytes", &DeviceIo::bytes, &IoDirections::discard},
        {"rios", &DeviceIo::ios, &IoDirections::read},
        {"wios", &DeviceIo::ios, &IoDirections::write},
        {"dios", &DeviceIo::ios, &IoDirections::discard},
    };
    for (const Key& k : kKeys) {
        if (k.name == key) {
            return &((dev.*k.field).*k.dir);
        }
    }
    return nullptr;
}

} // namespace

Status parse_blkio(std::string_view text, IoField field, std::vector<DeviceIo>& devices) {
    Status status = Ok{};
    for_each_line(text, [&](std::string_view line) {
        std::string_view rest = line;
        std::string_view first = next_word(rest);
        if (!status || first.empty()) {
            return;
        }
        std::string_view op = next_word(rest);
        std::string_view value = next_word(rest);
        if (first == "Total" && !op.empty() && value.empty() && parse_u64(op)) {
            return; // the closing sum over all devices
        }
        unsigned major = 0;
        unsigned minor = 0;
        if (!parse_devno(first, major, minor) || !known_op(op) || !parse_u64(value) ||
            !trim(rest).empty()) {
            status = invalid("blkio", line);
            return;
        }
        if (std::uint64_t* counter = direction(device(devices, major, minor).*field, op)) {
            *counter = *parse_u64(value);
        }
    });
    return status;
}

Status parse_io_stat(std::string_view text, std::vector<DeviceIo>& devices) {
    Status status = Ok{};
    for_each_line(text, [&](std::string_view line) {
        std::string_view rest = line;
        std::string_view first = next_word(rest);
        unsigned major = 0;
        unsigned minor = 0;
        if (!status || first.empty()) {
            return;
        }
        if (!parse_devno(first, major, minor)) {
            status = invalid("io.stat", line);
            return;
        }
        DeviceIo& dev = device(devices, major, minor);
        for (auto word = next_word(rest); !word.empty(); word = next_word(rest)) {
            auto [key, value] = split_first(word, '=');
            if (value.empty()) {
                status = invalid("io.stat", line);
                return;
            }
            std::uint64_t* counter = io_stat_counter(dev, key);
            auto number = parse_u64(value);
            if (counter != nullptr && !number) {
                status = invalid("io.stat", line);
                return;
            }
            if (counter != nullptr) {
                *counter = *number;
            }
        }
    });
    return status;
}

Status parse_task_ids(std::string_view text, std::vector<pid_t>& out, std::size_t limit,
                      std::size_t& skipped) {
    constexpr std::uint64_t kMaxPid = 1u << 22; // PID_MAX_LIMIT
    Status status = Ok{};
    for_each_line(text, [&](std::string_view line) {
        if (!status) {
            return;
        }
        auto id = parse_u64(line);
        if (!id || *id == 0 || *id > kMaxPid) {
            status = invalid("task list", line);
            return;
        }
        if (out.size() < limit) {
            out.push_back(static_cast<pid_t>(*id));
        } else {
            ++skipped;
        }
    });
    return status;
}

} // namespace lensfs::cgroup
