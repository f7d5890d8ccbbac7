#include "cgroup/layout.hpp"

#include <algorithm>
#include <memory>

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util/file.hpp"
#include "util/parse.hpp"

namespace lensfs::cgroup {

namespace {

constexpr std::array<std::string_view, kControllerCount> kNames = {"memory", "cpu",   "cpuacct",
                                                                   "cpuset", "blkio", "pids"};

// The v2 name of each controller's files ("io" stands for blkio, cpu.stat is always there).
constexpr std::array<std::string_view, kControllerCount> kV2Names = {"memory", "cpu", "",
                                                                     "cpuset", "io",  "pids"};

std::vector<Controller> controllers_in(std::string_view list, char sep) {
    std::vector<Controller> out;
    while (!list.empty()) {
        auto [name, rest] = split_first(list, sep);
        if (auto c = controller_from_name(name)) {
            out.push_back(*c);
        }
        list = rest;
    }
    return out;
}

// mountinfo escapes spaces and the like as \ooo.
std::string unescape_octal(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            auto oct = text.substr(i + 1, 3);
            if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string_view::npos) {
                out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

} // namespace

std::string_view controller_name(Controller c) {
    return kNames[static_cast<std::size_t>(c)];
}

std::optional<Controller> controller_from_name(std::string_view name) {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == name) {
            return static_cast<Controller>(i);
        }
    }
    return std::nullopt;
}

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
    std::vector<MountEntry> out;
    for_each_line(text, [&](std::string_view line) {
        // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS"
        auto sep = line.find(" - ");
        if (sep == std::string_view::npos) {
            return;
        }
        std::string_view head = line.substr(0, sep);
        std::string_view tail = line.substr(sep + 3);
        for (int i = 0; i < 4; ++i) {
            next_word(head);
        }
        std::string_view mount_point = next_word(head);
        std::string_view fstype = next_word(tail);
        next_word(tail); // source
        std::string_view options = next_word(tail);
        if (mount_point.empty() || fstype.empty()) {
            return;
        }
        out.push_back({unescape_octal(mount_point), std::string(fstype), std::string(options)});
    });
    return out;
}

ProcCgroups same_path_everywhere(const std::string& path) {
    ProcCgroups cg;
    cg.unified = path;
    for (auto& p : cg.v1) {
        p = path;
    }
    return cg;
}

Result<ProcCgroups> parse_proc_cgroup(std::string_view text) {
    ProcCgroups cg;
    bool any = false;
    bool bad = false;
    for_each_line(text, [&](std::string_view line) {
        if (bad || line.empty()) {
            return;
        }
        auto [id, rest] = split_first(line, ':');
        auto [controllers, path] = split_first(rest, ':');
        if (!parse_u64(id) || rest.size() == controllers.size() || path.empty() ||
            path.front() != '/') {
            bad = true;
            return;
        }
        any = true;
        if (*parse_u64(id) == 0 && controllers.empty()) {
            cg.unified = std::string(path);
            return;
        }
        for (Controller c : controllers_in(controllers, ',')) {
            cg.v1[static_cast<std::size_t>(c)] = std::string(path);
        }
    });
    if (bad || !any) {
        return Error{EINVAL,
                     fmt::format("cgroup file: unexpected content '{}'", text.substr(0, 60))};
    }
    return cg;
}

Status Layout::add(std::string path, bool v2, const std::vector<Controller>& controllers) {
    auto fd = open_dir_at(AT_FDCWD, path.c_str());
    if (!fd) {
        return std::move(fd).error();
    }
    int index = static_cast<int>(hierarchies_.size());
    struct statfs fs {};
    bool kernel = ::fstatfs(fd->get(), &fs) == 0 &&
                  (fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC);
    hierarchies_.push_back({std::move(path), v2, std::move(*fd), kernel});
    if (v2 && unified_ < 0) {
        unified_ = index;
    }
    for (Controller c : controllers) {
        if (by_controller_[idx(c)] < 0) {
            by_controller_[idx(c)] = index;
        }
    }
    return Ok{};
}

namespace {

// Controllers a cgroup2 root offers, from its cgroup.controllers file.
std::vector<Controller> v2_controllers(const std::string& root) {
    std::vector<Controller> out;
    auto text = read_file(root + "/cgroup.controllers");
    if (!text) {
        return out;
    }
    std::string_view rest = *text;
    for (auto word = next_word(rest); !word.empty(); word = next_word(rest)) {
        for (std::size_t i = 0; i < kV2Names.size(); ++i) {
            if (!kV2Names[i].empty() && kV2Names[i] == word) {
                out.push_back(static_cast<Controller>(i));
            }
        }
    }
    // cpu.stat exists in every cgroup2 group, with or without the cpu controller.
    out.push_back(Controller::cpuacct);
    return out;
}

} // namespace

Result<Layout> Layout::from_mounts(const std::vector<MountEntry>& mounts) {
    Layout layout;
    // v1 hierarchies first: on hybrid hosts they hold the controllers; cgroup2 then only adds
    // what no v1 hierarchy provides.
    for (const auto& m : mounts) {
        if (m.fstype != "cgroup") {
            continue;
        }
        auto controllers = controllers_in(m.super_options, ',');
        if (controllers.empty()) {
            continue; // named hierarchies such as name=systemd
        }
        if (auto st = layout.add(m.mount_point, false, controllers); !st) {
            return std::move(st).error();
        }
    }
    for (const auto& m : mounts) {
        if (m.fstype == "cgroup2" && layout.unified_ < 0) {
            if (auto st = layout.add(m.mount_point, true, v2_controllers(m.mount_point)); !st) {
                return std::move(st).error();
            }
        }
    }
    if (layout.hierarchies_.empty()) {
        return Error{ENOENT, "no cgroup v1 or v2 hierarchy is mounted"};
    }
    return layout;
}

Result<Layout> Layout::discover() {
    auto text = read_file("/proc/self/mountinfo");
    if (!text) {
        return std::move(text).error();
    }
    return from_mounts(parse_mountinfo(*text));
}

Result<Layout> Layout::from_root(const std::string& root) {
    if (::access((root + "/cgroup.controllers").c_str(), F_OK) == 0) {
        return from_mounts({{root, "cgroup2", ""}});
    }
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(root.c_str()), ::closedir);
    if (!dir) {
        return make_error(errno, root);
    }
    std::vector<MountEntry> mounts;
    while (dirent* ent = ::readdir(dir.get())) {
        std::string name = ent->d_name;
        if (name == "." || name == ".." || ent->d_type != DT_DIR) {
            continue;
        }
        std::string path = root + "/" + name;
        bool v2 = ::access((path + "/cgroup.controllers").c_str(), F_OK) == 0;
        mounts.push_back({path, v2 ? "cgroup2" : "cgroup", v2 ? "" : name});
    }
    std::sort(mounts.begin(), mounts.end(), [](const MountEntry& a, const MountEntry& b) {
        return a.mount_point < b.mount_point;
    });
    return from_mounts(mounts);
}

const Hierarchy* Layout::hierarchy(Controller c) const {
    int i = by_controller_[idx(c)];
    return i < 0 ? nullptr : &hierarchies_[static_cast<std::size_t>(i)];
}

const Hierarchy* Layout::unified() const {
    return unified_ < 0 ? nullptr : &hierarchies_[static_cast<std::size_t>(unified_)];
}

std::string_view Layout::mode() const {
    bool any_v1 = false;
    for (const auto& h : hierarchies_) {
        any_v1 = any_v1 || !h.v2;
    }
    if (!any_v1) {
        return "v2";
    }
    return unified_ < 0 ? "v1" : "hybrid";
}

std::string Layout::describe() const {
    std::string out = fmt::format("cgroup mode {}", mode());
    for (std::size_t i = 0; i < kControllerCount; ++i) {
        const Hierarchy* h = hierarchy(static_cast<Controller>(i));
        out += fmt::format("; {}: {}", kNames[i],
                           h ? fmt::format("{} ({})", h->path, h->v2 ? "v2" : "v1") : "none");
    }
    return out;
}

const std::optional<std::string>& Layout::path_for(const ProcCgroups& cg, Controller c) const {
    static const std::optional<std::string> kNone;
    const Hierarchy* h = hierarchy(c);
    if (!h) {
        return kNone;
    }
    return h->v2 ? cg.unified : cg.v1[idx(c)];
}

} // namespace lensfs::cgroup
