#include "daemon/handoff.hpp"

#include <algorithm>
#include <array>
#include <vector>
#include <charconv>

#include <fmt/format.h>

#include "util/parse.hpp"

namespace lensfs::daemon {

namespace {

constexpr std::array<std::pair<Message, std::string_view>, 8> kMessages = {{
    {Message::ready, "ready"},
    {Message::control_stopped, "control-stopped"},
    {Message::upgrade, "upgrade"},
    {Message::start_control, "start-control"},
    {Message::stop_control, "stop-control"},
    {Message::drain, "drain"},
    {Message::reload, "reload"},
    {Message::status, "status"},
}};

Error bad(std::string_view what) {
    return Error{EINVAL, fmt::format("{}: {}", kHandoffVar, what)};
}

bool parse_fd(std::string_view v, int& out) {
    auto n = parse_u64(v);
    if (!n || *n > 1'000'000) {
        return false;
    }
    out = static_cast<int>(*n);
    return true;
}

bool parse_double(std::string_view v, double& out) {
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc() && end == v.data() + v.size() && out >= 0;
}

bool apply(Handoff& h, std::string_view key, std::string_view v) {
    if (key == "fuse") {
        return parse_fd(v, h.fuse_fd);
    }
    if (key == "init") {
        return parse_fd(v, h.init_fd);
    }
    if (key == "keeper") {
        return parse_fd(v, h.keeper_fd);
    }
    if (key == "control") {
        return v == "-" || parse_fd(v, h.control_fd);
    }
    if (key == "seccomp") {
        return v == "-" || parse_fd(v, h.seccomp_fd);
    }
    if (key == "in-flight") {
        return v == "-" || parse_fd(v, h.in_flight_fd);
    }
    if (key == "generation") {
        auto n = parse_u64(v);
        h.generation = n.value_or(0);
        return n && *n > 0;
    }
    if (key == "control-now") {
        h.control_now = v == "1";
        return v == "0" || v == "1";
    }
    if (key == "keeper-pid") {
        auto n = parse_u64(v);
        h.keeper_pid = static_cast<pid_t>(n.value_or(0));
        return n && *n > 0 && *n < 4194305;
    }
    if (key == "keeper-boottime") {
        return parse_double(v, h.keeper_boottime_s);
    }
    if (key == "keeper-wall") {
        return parse_double(v, h.keeper_wall_s);
    }
    return false;
}

std::string fd_or_dash(int fd) {
    return fd < 0 ? std::string("-") : std::to_string(fd);
}

// Fields a server must get; the seccomp ones are optional, so that a server of this version
// also starts under a keeper of an earlier one (a live upgrade runs the new binary under the
// old keeper).
constexpr std::size_t kRequiredFields = 9;

} // namespace

std::string encode_handoff(const Handoff& h) {
    return fmt::format("fuse={},init={},keeper={},control={},generation={},control-now={},"
                       "keeper-pid={},keeper-boottime={},keeper-wall={},seccomp={},in-flight={}",
                       h.fuse_fd, h.init_fd, h.keeper_fd, fd_or_dash(h.control_fd),
                       h.generation, h.control_now ? 1 : 0, h.keeper_pid, h.keeper_boottime_s,
                       h.keeper_wall_s, fd_or_dash(h.seccomp_fd), fd_or_dash(h.in_flight_fd));
}

Result<Handoff> decode_handoff(std::string_view text) {
    Handoff h;
    std::size_t required = 0;
    std::vector<std::string_view> seen;
    while (!text.empty()) {
        auto [item, rest] = split_first(text, ',');
        auto eq = item.find('=');
        std::string_view key = item.substr(0, eq);
        if (eq == std::string_view::npos || std::find(seen.begin(), seen.end(), key) != seen.end() ||
            !apply(h, key, item.substr(eq + 1))) {
            return bad(fmt::format("bad field '{}'", item.substr(0, 64)));
        }
        seen.push_back(key);
        required += key == "seccomp" || key == "in-flight" ? 0 : 1;
        text = rest;
    }
    if (required != kRequiredFields || h.fuse_fd < 0 || h.init_fd < 0 || h.keeper_fd < 0) {
        return bad("incomplete");
    }
    return h;
}

std::string_view message_name(Message m) {
    for (const auto& [message, name] : kMessages) {
        if (message == m) {
            return name;
        }
    }
    return "?";
}

std::optional<Message> parse_message(std::string_view text) {
    for (const auto& [message, name] : kMessages) {
        if (name == text) {
            return message;
        }
    }
    return std::nullopt;
}

} // namespace lensfs::daemon
