#include "ctl/format.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lensfs::ctl {

namespace {

using nlohmann::json;

json entry_object(const Entry& e) {
    json j = {{"id", e.id},
              {"cgroup", e.cgroup},
              {"start_time", {{"boottime", e.start_boottime_s}, {"wall", e.start_wall_s}}},
              {"annotations", json(e.annotations)}};
    if (e.init_pid) {
        j["pid"] = *e.init_pid;
    }
    return j;
}

// Strings that are not UTF-8 (a hostile annotation) print with U+FFFD instead of throwing.
std::string dump(const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string pid_text(const Entry& e) {
    return e.init_pid ? std::to_string(*e.init_pid) : std::string("-");
}

} // namespace

std::string format_duration(double seconds) {
    auto s = static_cast<long long>(std::max(0.0, std::floor(seconds)));
    if (s < 60) {
        return fmt::format("{}s", s);
    }
    if (s < 3600) {
        return fmt::format("{}m{:02}s", s / 60, s % 60);
    }
    if (s < 86400) {
        return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
    }
    return fmt::format("{}d{:02}h", s / 86400, s % 86400 / 3600);
}

std::string format_wall(double wall_s) {
    auto t = static_cast<std::time_t>(wall_s);
    std::tm tm{};
    if (localtime_r(&t, &tm) == nullptr) {
        return "?";
    }
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    return {buf, n};
}

std::string containers_table(const std::vector<Entry>& entries, double now_boottime_s) {
    std::size_t id_width = 2;
    for (const auto& e : entries) {
        id_width = std::max(id_width, e.id.size());
    }
    std::string out = fmt::format("{:<{}}  {:>7}  {:<19}  {:>7}  {}\n", "ID", id_width, "PID",
                                  "STARTED", "UPTIME", "CGROUP");
    for (const auto& e : entries) {
        out += fmt::format("{:<{}}  {:>7}  {:<19}  {:>7}  {}\n", e.id, id_width, pid_text(e),
                           format_wall(e.start_wall_s),
                           format_duration(now_boottime_s - e.start_boottime_s), e.cgroup);
    }
    return out;
}

std::string container_details(const Entry& e, double now_boottime_s) {
    std::string out =
        fmt::format("id:          {}\n"
                    "cgroup:      {}\n"
                    "pid:         {}\n"
                    "started:     {} (CLOCK_BOOTTIME {:.3f} s)\n"
                    "uptime:      {}\n",
                    e.id, e.cgroup, pid_text(e), format_wall(e.start_wall_s), e.start_boottime_s,
                    format_duration(now_boottime_s - e.start_boottime_s));
    for (const auto& [key, value] : e.annotations) {
        out += fmt::format("annotation:  {}={}\n", key, value);
    }
    return out;
}

std::string status_text(const DaemonStatus& s, double now_boottime_s) {
    std::string out = fmt::format(
        "lensfs {}, keeper pid {}, server {} pid {}\n"
        "mount:       {}\n"
        "seccomp:     {}\n"
        "started:     {} (up {})\n"
        "containers:  {}\n"
        "open files:  {}\n",
        s.version, s.keeper_pid, s.generation, s.pid, s.mount.empty() ? "-" : s.mount,
        s.seccomp_socket.empty() ? "- (no sysinfo(2) agent)" : s.seccomp_socket,
        format_wall(s.start_wall_s),
        format_duration(now_boottime_s - s.start_boottime_s), s.containers, s.open_files);
    auto section = [&](const char* title, const std::map<std::string, std::uint64_t>& counts) {
        out += fmt::format("{}:{}\n", title, counts.empty() ? " none" : "");
        for (const auto& [name, n] : counts) {
            out += fmt::format("  {:<32} {}\n", name, n);
        }
    };
    section("reads", s.reads);
    section("errors", s.errors);
    return out;
}

std::string container_json(const Entry& entry) {
    return dump(entry_object(entry));
}

std::string containers_json(const std::vector<Entry>& entries) {
    json list = json::array();
    for (const auto& e : entries) {
        list.push_back(entry_object(e));
    }
    return dump(json{{"containers", std::move(list)}});
}

std::string status_json(const DaemonStatus& s) {
    json j = {{"version", s.version},
              {"pid", s.pid},
              {"keeper_pid", s.keeper_pid},
              {"generation", s.generation},
              {"open_files", s.open_files},
              {"mount", s.mount},
              {"seccomp_socket", s.seccomp_socket},
              {"start_time", {{"boottime", s.start_boottime_s}, {"wall", s.start_wall_s}}},
              {"containers", s.containers},
              {"reads", json(s.reads)},
              {"errors", json(s.errors)}};
    return dump(j);
}

std::string error_json(std::string_view code, std::string_view message) {
    return dump(json{{"error", {{"code", code}, {"message", message}}}});
}

} // namespace lensfs::ctl
