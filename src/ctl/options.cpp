#include "ctl/options.hpp"

#include <charconv>
#include <cmath>
#include <getopt.h>
#include <vector>

#include "model/entry.hpp"
#include "util/parse.hpp"

namespace lensfs::ctl {

namespace {

enum LongOnly : int {
    kSocket = 256,
    kJson,
    kTimeout,
    kPid,
    kCgroup,
    kId,
    kStartTime,
    kAnnotation,
    kCgroupRoot,
    kNoCpuQuotaView,
};

constexpr option kLongOptions[] = {
    {"socket", required_argument, nullptr, kSocket},
    {"json", no_argument, nullptr, kJson},
    {"timeout", required_argument, nullptr, kTimeout},
    {"pid", required_argument, nullptr, kPid},
    {"cgroup", required_argument, nullptr, kCgroup},
    {"id", required_argument, nullptr, kId},
    {"start-time", required_argument, nullptr, kStartTime},
    {"annotation", required_argument, nullptr, kAnnotation},
    {"cgroup-root", required_argument, nullptr, kCgroupRoot},
    {"no-cpu-quota-view", no_argument, nullptr, kNoCpuQuotaView},
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'V'},
    {nullptr, 0, nullptr, 0},
};

Error usage(std::string message) {
    return Error{EINVAL, std::move(message)};
}

// Which command-specific options were given, to refuse them where they do not belong.
struct Seen {
    bool id = false;
    bool start_time = false;
    bool annotation = false;
    bool show_only = false; // --cgroup-root, --no-cpu-quota-view
};

Status apply_value(int opt, const char* arg, Options& o, Seen& seen) {
    switch (opt) {
    case kPid: {
        auto pid = parse_u64(arg);
        if (!pid || *pid < 1 || *pid > static_cast<std::uint64_t>(kMaxPid)) {
            return usage("--pid takes a process id");
        }
        o.pid = static_cast<pid_t>(*pid);
        return Ok{};
    }
    case kStartTime:
        seen.start_time = true;
        o.start_time = parse_start_time(arg);
        return o.start_time ? Status(Ok{})
                            : Status(usage("--start-time takes seconds of CLOCK_BOOTTIME, or "
                                           "@SECONDS since the epoch"));
    case kAnnotation: {
        seen.annotation = true;
        auto [key, value] = split_first(arg, '=');
        if (key.empty() || std::string_view(arg).find('=') == std::string_view::npos) {
            return usage("--annotation takes KEY=VALUE");
        }
        o.annotations[std::string(key)] = std::string(value);
        return Ok{};
    }
    case kTimeout: {
        auto ms = parse_u64(arg);
        if (!ms || *ms < 1 || *ms > 600'000) {
            return usage("--timeout takes milliseconds from 1 to 600000");
        }
        o.timeout_ms = static_cast<int>(*ms);
        return Ok{};
    }
    default:
        return usage("unknown option (try --help)");
    }
}

Status apply(int opt, const char* arg, Options& o, Seen& seen) {
    switch (opt) {
    case kSocket:
        o.socket = arg;
        return Ok{};
    case kJson:
        o.json = true;
        return Ok{};
    case kCgroup:
        o.cgroup = arg;
        return Ok{};
    case kId:
        seen.id = true;
        o.id = arg;
        return Ok{};
    case kCgroupRoot:
        seen.show_only = true;
        o.cgroup_root = arg;
        return Ok{};
    case kNoCpuQuotaView:
        seen.show_only = true;
        o.cpu_quota_view = false;
        return Ok{};
    case 'h':
        o.help = true;
        return Ok{};
    case 'V':
        o.version = true;
        return Ok{};
    default:
        return apply_value(opt, arg, o, seen);
    }
}

std::optional<Command> command_from_name(std::string_view name) {
    static constexpr std::pair<std::string_view, Command> kNames[] = {
        {"list", Command::list},          {"get", Command::get},
        {"register", Command::register_}, {"unregister", Command::unregister},
        {"status", Command::status},      {"show", Command::show},
        {"upgrade", Command::upgrade},
    };
    for (const auto& [n, c] : kNames) {
        if (n == name) {
            return c;
        }
    }
    return std::nullopt;
}

// The positional words after the command: exactly @p want of them.
Status take_words(const std::vector<std::string>& words, std::size_t want, const char* what) {
    if (words.size() - 1 < want) {
        return usage(std::string("missing ") + what + " (try --help)");
    }
    if (words.size() - 1 > want) {
        return usage("unexpected argument: " + words[want + 1]);
    }
    return Ok{};
}

Status check_register(const std::vector<std::string>& words, Options& o, const Seen& seen) {
    if (Status st = take_words(words, 1, "container ID"); !st) {
        return st;
    }
    o.id = words[1];
    if (seen.id) {
        return usage("register takes the ID as an argument, not --id");
    }
    if (!o.pid && !o.cgroup) {
        return usage("register needs --pid PID or --cgroup PATH");
    }
    return Ok{};
}

Status check_show(const std::vector<std::string>& words, Options& o, const Seen& seen) {
    if (Status st = take_words(words, 1, "FILE (e.g. proc/meminfo)"); !st) {
        return st;
    }
    o.file = words[1];
    int targets = (o.pid ? 1 : 0) + (o.cgroup ? 1 : 0) + (seen.id ? 1 : 0);
    if (targets != 1) {
        return usage("show needs exactly one of --pid PID, --cgroup PATH and --id ID");
    }
    if (seen.start_time && !o.cgroup) {
        return usage("--start-time goes with show --cgroup (or register)");
    }
    if (seen.annotation) {
        return usage("--annotation is only for register");
    }
    return Ok{};
}

Status check_simple(const std::vector<std::string>& words, Options& o, const Seen& seen) {
    bool wants_id = o.command == Command::get || o.command == Command::unregister;
    if (Status st = take_words(words, wants_id ? 1 : 0, "container ID"); !st) {
        return st;
    }
    if (wants_id) {
        o.id = words[1];
    }
    if (o.pid || o.cgroup || seen.id || seen.start_time || seen.annotation) {
        return usage(words[0] + " takes no --pid, --cgroup, --id, --start-time or --annotation");
    }
    return Ok{};
}

Status check_command(const std::vector<std::string>& words, Options& o, const Seen& seen) {
    auto command = command_from_name(words[0]);
    if (!command) {
        return usage("unknown command '" + words[0] + "' (try --help)");
    }
    o.command = *command;
    if (seen.show_only && o.command != Command::show) {
        return usage("--cgroup-root and --no-cpu-quota-view are only for show");
    }
    switch (o.command) {
    case Command::register_:
        return check_register(words, o, seen);
    case Command::show:
        return check_show(words, o, seen);
    default:
        return check_simple(words, o, seen);
    }
}

} // namespace

std::optional<StartTime> parse_start_time(std::string_view text) {
    bool wall = !text.empty() && text.front() == '@';
    if (wall) {
        text.remove_prefix(1);
    }
    double value = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        !std::isfinite(value) || value < 0) {
        return std::nullopt;
    }
    return wall ? StartTime{std::nullopt, value} : StartTime{value, std::nullopt};
}

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    Seen seen;
    optind = 1;
    opterr = 0;
    int opt = 0;
    // Single-threaded at this point; getopt's global state is fine.
    while ((opt = getopt_long(argc, argv, "hV", kLongOptions, nullptr)) != -1) { // NOLINT
        if (opt == '?') {
            return usage(std::string("unknown option or missing argument: ") +
                         (optind > 0 && optind <= argc ? argv[optind - 1] : "?") + " (try --help)");
        }
        if (Status st = apply(opt, optarg, o, seen); !st) {
            return std::move(st).error();
        }
    }
    if (o.help || o.version) {
        return o;
    }
    std::vector<std::string> words(argv + optind, argv + argc);
    if (words.empty()) {
        return usage("missing command: list, get, register, unregister, status, show or "
                     "upgrade (try --help)");
    }
    if (Status st = check_command(words, o, seen); !st) {
        return std::move(st).error();
    }
    return o;
}

} // namespace lensfs::ctl
