#include "ctl/options.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "model/entry.hpp"
#include "util/options.hpp"
#include "util/parse.hpp"

namespace lensfs::ctl {

namespace {

Error usage(std::string message) {
    return Error{EINVAL, std::move(message)};
}

// Which command-specific options were given, to refuse them where they do not belong.
struct Seen {
    bool id = false;
    bool start_time = false;
    bool annotation = false;
    bool show_only = false; // --cgroup-root, --no-cpu-quota-view
    bool oci_only = false;  // --mount, --hook, --seccomp-socket, --no-seccomp
};

// What the option table works on: the options and which command-specific ones were given.
struct Parsed {
    Options o;
    Seen seen;
};

Status set_pid(const char* arg, Parsed& p) {
    pid_t pid = 0;
    Status st =
        store_number(arg, pid, 1, static_cast<std::uint64_t>(kMaxPid), "--pid takes a process id");
    if (st) {
        p.o.pid = pid;
    }
    return st;
}

Status set_start_time(const char* arg, Parsed& p) {
    p.seen.start_time = true;
    p.o.start_time = parse_start_time(arg);
    return p.o.start_time ? Status(Ok{})
                          : Status(usage("--start-time takes seconds of CLOCK_BOOTTIME, or "
                                         "@SECONDS since the epoch"));
}

Status add_annotation(const char* arg, Parsed& p) {
    p.seen.annotation = true;
    auto [key, value] = split_first(arg, '=');
    if (key.empty() || std::string_view(arg).find('=') == std::string_view::npos) {
        return usage("--annotation takes KEY=VALUE");
    }
    p.o.annotations[std::string(key)] = std::string(value);
    return Ok{};
}

Status set_timeout(const char* arg, Parsed& p) {
    return store_number(arg, p.o.timeout_ms, 1, 600'000,
                        "--timeout takes milliseconds from 1 to 600000");
}

Status set_socket(const char* arg, Parsed& p) {
    p.o.socket = arg;
    return Ok{};
}

Status set_cgroup(const char* arg, Parsed& p) {
    p.o.cgroup = arg;
    return Ok{};
}

Status set_id(const char* arg, Parsed& p) {
    p.seen.id = true;
    p.o.id = arg;
    return Ok{};
}

Status set_cgroup_root(const char* arg, Parsed& p) {
    p.seen.show_only = true;
    p.o.cgroup_root = arg;
    return Ok{};
}

Status set_no_cpu_quota_view(const char* /*arg*/, Parsed& p) {
    p.seen.show_only = true;
    p.o.cpu_quota_view = false;
    return Ok{};
}

Status set_json(const char* /*arg*/, Parsed& p) {
    p.o.json = true;
    return Ok{};
}

Status set_help(const char* /*arg*/, Parsed& p) {
    p.o.help = true;
    return Ok{};
}

Status set_version(const char* /*arg*/, Parsed& p) {
    p.o.version = true;
    return Ok{};
}

Result<std::string> absolute(const char* option, const char* arg) {
    if (*arg != '/') {
        return usage(std::string(option) + " takes an absolute path, not '" + arg + "'");
    }
    return std::string(arg);
}

template <std::string Options::*Field>
Status set_oci_path(const char* arg, Parsed& p) {
    const char* name = Field == &Options::mount  ? "--mount"
                       : Field == &Options::hook ? "--hook"
                                                 : "--seccomp-socket";
    auto path = absolute(name, arg);
    if (!path) {
        return std::move(path).error();
    }
    p.o.*Field = std::move(*path);
    p.seen.oci_only = true;
    return Ok{};
}

Status set_no_seccomp(const char* /*arg*/, Parsed& p) {
    p.o.seccomp = false;
    p.seen.oci_only = true;
    return Ok{};
}

constexpr OptionRow<Parsed> kOptions[] = {
    {"mount", 0, true, &set_oci_path<&Options::mount>},
    {"hook", 0, true, &set_oci_path<&Options::hook>},
    {"seccomp-socket", 0, true, &set_oci_path<&Options::seccomp_socket>},
    {"no-seccomp", 0, false, &set_no_seccomp},
    {"socket", 0, true, &set_socket},
    {"json", 0, false, &set_json},
    {"timeout", 0, true, &set_timeout},
    {"pid", 0, true, &set_pid},
    {"cgroup", 0, true, &set_cgroup},
    {"id", 0, true, &set_id},
    {"start-time", 0, true, &set_start_time},
    {"annotation", 0, true, &add_annotation},
    {"cgroup-root", 0, true, &set_cgroup_root},
    {"no-cpu-quota-view", 0, false, &set_no_cpu_quota_view},
    {"help", 'h', false, &set_help},
    {"version", 'V', false, &set_version},
};

std::optional<Command> command_from_name(std::string_view name) {
    static constexpr std::pair<std::string_view, Command> kNames[] = {
        {"list", Command::list},          {"get", Command::get},
        {"register", Command::register_}, {"unregister", Command::unregister},
        {"status", Command::status},      {"show", Command::show},
        {"upgrade", Command::upgrade},    {"oci-config", Command::oci_config},
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
    if (seen.oci_only && o.command != Command::oci_config) {
        return usage("--mount, --hook, --seccomp-socket and --no-seccomp are only for oci-config");
    }
    switch (o.command) {
    case Command::oci_config:
        if (Status st = take_words(words, 1, "BUNDLE (the directory of config.json)"); !st) {
            return st;
        }
        o.bundle = words[1];
        if (!o.seccomp && !o.seccomp_socket.empty()) {
            return usage("--seccomp-socket and --no-seccomp exclude each other");
        }
        return check_simple({words[0]}, o, seen);
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
    Parsed p;
    auto parsed_words = parse_command_line(argc, argv, kOptions, p);
    if (!parsed_words) {
        return std::move(parsed_words).error();
    }
    Options& o = p.o;
    if (o.help || o.version) {
        return o;
    }
    const std::vector<std::string>& words = *parsed_words;
    if (words.empty()) {
        return usage("missing command: list, get, register, unregister, status, show, "
                     "upgrade or oci-config (try --help)");
    }
    if (Status st = check_command(words, o, p.seen); !st) {
        return std::move(st).error();
    }
    return o;
}

} // namespace lensfs::ctl
