// Reader: the tasks of a cgroup and its descendants, for the load average.
#include <dirent.h>
#include <fcntl.h>
#include <memory>

#include <fmt/format.h>

#include "cgroup/parse_io.hpp"
#include "cgroup/reader.hpp"
#include "util/file.hpp"

namespace lensfs::cgroup {

namespace {

/// Nesting below a container's cgroup deeper than this is not walked; systemd inside a
/// container nests three or four levels.
constexpr int kMaxDepth = 16;

// Cgroup paths are absolute; openat() wants them relative to the hierarchy root.
std::string relative(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    return path.empty() ? std::string(".") : std::string(path);
}

struct Walk {
    const char* file;
    TaskList& out;
    std::size_t limit;
    std::string& scratch;

    /// Lists the tasks of the cgroup open at @p dirfd (which this takes over), then its
    /// children's.
    Status visit(int dirfd, int depth) {
        std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(dirfd), ::closedir);
        if (!dir) {
            Error error = make_error(errno, "fdopendir");
            ::close(dirfd);
            return error;
        }
        if (Status st = read_file_at(dirfd, file, scratch); !st) {
            return st;
        }
        if (Status st = parse_task_ids(scratch, out.ids, limit, out.skipped); !st) {
            return st;
        }
        if (depth >= kMaxDepth) {
            return Ok{};
        }
        // Only child cgroups are directories in a cgroup directory.
        while (const dirent* ent = ::readdir(dir.get())) {
            if (ent->d_type != DT_DIR || ent->d_name[0] == '.') {
                continue;
            }
            int child = ::openat(dirfd, ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child < 0) {
                continue; // removed since readdir() saw it
            }
            // A child removed during the walk fails with ENODEV or ENOENT: its tasks are gone.
            [[maybe_unused]] Status st = visit(child, depth + 1);
        }
        return Ok{};
    }
};

} // namespace

std::string TaskSource::key() const { return fmt::format("{}:{}", hierarchy, path); }

Result<TaskSource> Reader::task_source(const ProcCgroups& cg) const {
    for (Controller c : {Controller::cpuacct, Controller::cpu, Controller::pids,
                         Controller::memory, Controller::cpuset}) {
        auto where = locate(c, cg);
        if (where && where->path != "/") {
            return TaskSource{where->hierarchy, where->v2, std::string(where->path)};
        }
    }
    if (auto unified = unified_below_root(cg)) {
        return TaskSource{unified->hierarchy, true, std::string(unified->path)};
    }
    return Error{ENOENT, "the cgroup is the root of every hierarchy"};
}

Status Reader::list_tasks(const TaskSource& src, TaskList& out, std::size_t limit,
                          std::string& scratch) const {
    const auto& hierarchies = layout_.hierarchies();
    if (src.hierarchy < 0 || static_cast<std::size_t>(src.hierarchy) >= hierarchies.size()) {
        return Error{EINVAL, "no such hierarchy"};
    }
    const Hierarchy& h = hierarchies[static_cast<std::size_t>(src.hierarchy)];
    std::string rel = relative(src.path);
    int dirfd = ::openat(h.dirfd.get(), rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0) {
        return make_error(errno, h.path + "/" + rel);
    }
    Walk walk{src.v2 ? "cgroup.threads" : "tasks", out, limit, scratch};
    if (Status st = walk.visit(dirfd, 0); !st) {
        return Error{st.error().code, h.path + "/" + rel + ": " + st.error().context};
    }
    return Ok{};
}

} // namespace lensfs::cgroup
