#include "ctl/oci_config.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ctl/commands.hpp"
#include "util/file.hpp"
#include "util/json_depth.hpp"

namespace lensfs::ctl {

namespace {

using nlohmann::ordered_json;

constexpr const char* kHookName = "lensfs-oci-hook";
constexpr const char* kDefaultSocket = "/run/lensfs/lensfs.sock";
constexpr const char* kDefaultMount = "/var/lib/lensfs";
constexpr const char* kStages[] = {"createRuntime", "createContainer", "poststop"};
constexpr std::size_t kMaxDepth = 64;

Error invalid(std::string why) {
    return Error{EINVAL, std::move(why)};
}

bool is_lensfs_hook(const ordered_json& entry) {
    if (!entry.is_object()) {
        return false;
    }
    auto path = entry.find("path");
    if (path != entry.end() && path->is_string()) {
        std::string p = path->get<std::string>();
        if (p == kHookName || p.ends_with(std::string("/") + kHookName)) {
            return true;
        }
    }
    auto args = entry.find("args");
    return args != entry.end() && args->is_array() && !args->empty() && (*args)[0] == kHookName;
}

ordered_json hook_entry(const OciPlan& plan, const char* stage) {
    ordered_json args = ordered_json::array({kHookName});
    if (!plan.control_socket.empty() && plan.control_socket != kDefaultSocket) {
        args.push_back("--socket");
        args.push_back(plan.control_socket);
    }
    if (std::string_view(stage) == "createContainer" && !plan.mount.empty() &&
        plan.mount != kDefaultMount) {
        args.push_back("--mount");
        args.push_back(plan.mount);
    }
    args.push_back(stage);
    return ordered_json{{"path", plan.hook}, {"args", args}, {"timeout", 10}};
}

Status add_hooks(ordered_json& doc, const OciPlan& plan, std::vector<std::string>& changes) {
    if (!doc.contains("hooks")) {
        doc["hooks"] = ordered_json::object();
    }
    ordered_json& hooks = doc["hooks"];
    if (!hooks.is_object()) {
        return invalid("\"hooks\" is not an object");
    }
    for (const char* stage : kStages) {
        if (!hooks.contains(stage)) {
            hooks[stage] = ordered_json::array();
        }
        ordered_json& list = hooks[stage];
        if (!list.is_array()) {
            return invalid(fmt::format("\"hooks.{}\" is not a list", stage));
        }
        ordered_json wanted = hook_entry(plan, stage);
        std::size_t ours = static_cast<std::size_t>(std::count_if(list.begin(), list.end(), is_lensfs_hook));
        bool same = ours == 1 && std::find(list.begin(), list.end(), wanted) != list.end();
        if (same) {
            continue;
        }
        ordered_json kept = ordered_json::array();
        for (auto& entry : list) {
            if (!is_lensfs_hook(entry)) {
                kept.push_back(entry);
            }
        }
        kept.push_back(wanted);
        list = std::move(kept);
        changes.push_back(fmt::format("hooks.{}: {} {}", stage, kHookName,
                                      ours > 0 ? "replaced" : "added"));
    }
    return Ok{};
}

bool is_our_rule(const ordered_json& rule) {
    return rule.is_object() && rule.value("action", "") == "SCMP_ACT_NOTIFY" &&
           rule.contains("names") && rule["names"] == ordered_json::array({"sysinfo"}) &&
           !rule.contains("args");
}

Status add_seccomp(ordered_json& doc, const OciPlan& plan, std::vector<std::string>& changes) {
    if (!doc.contains("linux")) {
        doc["linux"] = ordered_json::object();
    }
    ordered_json& linux_part = doc["linux"];
    if (!linux_part.is_object()) {
        return invalid("\"linux\" is not an object");
    }
    ordered_json rule = {{"names", {"sysinfo"}}, {"action", "SCMP_ACT_NOTIFY"}};
    if (!linux_part.contains("seccomp")) {
        linux_part["seccomp"] = ordered_json{{"defaultAction", "SCMP_ACT_ALLOW"},
                                             {"listenerPath", plan.seccomp_socket},
                                             {"syscalls", ordered_json::array({rule})}};
        changes.push_back(fmt::format("linux.seccomp: added (allow all, sysinfo to the lensfs "
                                      "agent at {})",
                                      plan.seccomp_socket));
        return Ok{};
    }
    ordered_json& seccomp = linux_part["seccomp"];
    if (!seccomp.is_object()) {
        return invalid("\"linux.seccomp\" is not an object");
    }
    if (seccomp.value("defaultAction", "") == "SCMP_ACT_NOTIFY") {
        return invalid("the seccomp profile already sends every call to a listener "
                       "(defaultAction SCMP_ACT_NOTIFY); a container has one listener");
    }
    if (seccomp.contains("listenerPath")) {
        const ordered_json& path = seccomp["listenerPath"];
        if (!path.is_string() || (path != plan.seccomp_socket && !path.get<std::string>().empty())) {
            return invalid(fmt::format("the seccomp profile already has listenerPath {}; a "
                                       "container has one listener",
                                       path.dump()));
        }
    }
    if (seccomp.value("listenerPath", "") != plan.seccomp_socket) {
        seccomp["listenerPath"] = plan.seccomp_socket;
        changes.push_back(fmt::format("linux.seccomp.listenerPath: {}", plan.seccomp_socket));
    }
    if (!seccomp.contains("syscalls")) {
        seccomp["syscalls"] = ordered_json::array();
    }
    ordered_json& rules = seccomp["syscalls"];
    if (!rules.is_array()) {
        return invalid("\"linux.seccomp.syscalls\" is not a list");
    }
    ordered_json kept = ordered_json::array();
    bool present = false;
    for (auto& r : rules) {
        if (is_our_rule(r) && !present) {
            present = true;
            kept.push_back(r);
            continue;
        }
        auto names = r.is_object() ? r.find("names") : r.end();
        bool names_sysinfo = r.is_object() && names != r.end() && names->is_array() &&
                             std::find(names->begin(), names->end(), "sysinfo") != names->end();
        if (!names_sysinfo) {
            kept.push_back(r);
            continue;
        }
        if (r.contains("args") && !r["args"].empty()) {
            return invalid("a seccomp rule with arguments covers sysinfo; lensfs cannot take "
                           "the call from it");
        }
        ordered_json rest = ordered_json::array();
        for (auto& n : *names) {
            if (n != "sysinfo") {
                rest.push_back(n);
            }
        }
        changes.push_back(fmt::format("linux.seccomp.syscalls: sysinfo taken out of a rule "
                                      "with action {}",
                                      r.value("action", "?")));
        if (!rest.empty()) {
            r["names"] = std::move(rest);
            kept.push_back(r);
        }
    }
    if (!present) {
        kept.push_back(rule);
        changes.push_back("linux.seccomp.syscalls: sysinfo to the lensfs agent (SCMP_ACT_NOTIFY)");
    }
    rules = std::move(kept);
    return Ok{};
}

// lensfs-oci-hook beside lensctl, or in ../bin (lensctl is in sbin), else the default prefix.
std::string default_hook() {
    char self[PATH_MAX] = {};
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    std::string dir = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : std::string();
    dir = dir.substr(0, dir.rfind('/'));
    for (const std::string& candidate :
         {dir + "/" + kHookName, dir + "/../bin/" + kHookName}) {
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
            char real[PATH_MAX];
            return ::realpath(candidate.c_str(), real) != nullptr ? std::string(real) : candidate;
        }
    }
    return std::string("/usr/local/bin/") + kHookName;
}

} // namespace

Result<OciEdit> configure_oci(std::string_view config, const OciPlan& plan) {
    if (json_nests_deeper_than(config, kMaxDepth)) {
        return invalid(fmt::format("config.json nests deeper than {} levels", kMaxDepth));
    }
    ordered_json doc;
    try {
        doc = ordered_json::parse(config.begin(), config.end());
    } catch (const nlohmann::json::exception&) {
        return invalid("config.json is not valid JSON");
    }
    if (!doc.is_object()) {
        return invalid("config.json is not a JSON object");
    }
    OciEdit edit;
    try {
        if (Status st = add_hooks(doc, plan, edit.changes); !st) {
            return std::move(st).error();
        }
        if (!plan.seccomp_socket.empty()) {
            if (Status st = add_seccomp(doc, plan, edit.changes); !st) {
                return std::move(st).error();
            }
        }
    } catch (const nlohmann::json::exception&) {
        return invalid("config.json has a field of an unexpected type");
    }
    edit.text = doc.dump(2) + "\n";
    return edit;
}

int run_oci_config(const Options& o) {
    OciPlan plan;
    plan.hook = o.hook.empty() ? default_hook() : o.hook;
    plan.control_socket = o.socket;
    plan.mount = o.mount;
    plan.seccomp_socket = o.seccomp ? o.seccomp_socket : std::string();
    if (o.mount.empty() || (o.seccomp && o.seccomp_socket.empty())) {
        int status = kExitOk;
        auto r = ask(o, StatusRequest{}, status);
        if (!r || !r->status) {
            std::fprintf(stderr, "lensctl: oci-config needs the daemon's mount and seccomp "
                                 "socket; give --mount and --seccomp-socket (or --no-seccomp) "
                                 "to go without it\n");
            return status == kExitOk ? kExitFailed : status;
        }
        if (plan.mount.empty()) {
            plan.mount = r->status->mount;
        }
        if (o.seccomp && plan.seccomp_socket.empty()) {
            plan.seccomp_socket = r->status->seccomp_socket;
            if (plan.seccomp_socket.empty()) {
                std::fprintf(stderr, "lensctl: the daemon runs without a seccomp socket "
                                     "(--no-seccomp): no sysinfo(2) rule added\n");
            }
        }
    }
    std::string path = o.bundle + "/config.json";
    auto text = read_file(path);
    if (!text) {
        std::fprintf(stderr, "lensctl: %s\n", text.error().message().c_str());
        return kExitFailed;
    }
    auto edit = configure_oci(*text, plan);
    if (!edit) {
        std::fprintf(stderr, "lensctl: %s: %s\n", path.c_str(), edit.error().context.c_str());
        return kExitFailed;
    }
    if (!edit->changes.empty()) {
        struct stat st {};
        unsigned mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
        if (Status w = write_file_atomic(path, edit->text, mode); !w) {
            std::fprintf(stderr, "lensctl: %s\n", w.error().message().c_str());
            return kExitFailed;
        }
    }
    if (o.json) {
        nlohmann::json out = {{"config", path}, {"changes", edit->changes}};
        std::printf("%s\n", out.dump().c_str());
    } else if (edit->changes.empty()) {
        std::printf("%s: already configured for lensfs\n", path.c_str());
    } else {
        for (const auto& c : edit->changes) {
            std::printf("%s: %s\n", path.c_str(), c.c_str());
        }
    }
    return kExitOk;
}

} // namespace lensfs::ctl
