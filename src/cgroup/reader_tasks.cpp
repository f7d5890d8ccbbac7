// Reader: the tasks of a cgroup and its descendants, for the load average.
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cgroup/parse_io.hpp"
#include "cgroup/reader.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace lensfs::cgroup {

namespace {

/// Nesting below a container's cgroup deeper than this is not walked; systemd inside a
/// container nests three or four levels.
constexpr int kMaxDepth = 16;
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

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

    /// Lists the tasks of the cgroup open at @p dir, then its children's.
    Status visit(UniqueFd dir, int depth) {
        if (Status st = read_file_at(dir.get(), file, scratch); !st) {
            return st;
        }
        if (Status st = parse_task_ids(scratch, out.ids, limit, out.skipped); !st) {
            return st;
        }
        // A directory's link count is 2 plus its subdirectories (kernfs keeps it so too):
        // most groups have no children, and then the listing is not read at all.
        struct stat st {};
        if (depth >= kMaxDepth || ::fstat(dir.get(), &st) != 0 || st.st_nlink <= 2) {
            return Ok{};
        }
        visit_children(std::move(dir), depth);
        return Ok{};
    }

    void visit_children(UniqueFd dir, int depth) {
        int fd = dir.release();
        std::unique_ptr<DIR, int (*)(DIR*)> listing(::fdopendir(fd), ::closedir);
        if (!listing) {
            ::close(fd);
            return;
        }
        // Only child cgroups are directories in a cgroup directory.
        while (const dirent* ent = ::readdir(listing.get())) {
            if (ent->d_type != DT_DIR || ent->d_name[0] == '.') {
                continue;
            }
            UniqueFd child(::openat(fd, ent->d_name, kDirFlags));
            if (!child) {
                continue; // removed since readdir() saw it
            }
            // A child removed during the walk fails with ENODEV or ENOENT: its tasks are gone.
            [[maybe_unused]] Status st = visit(std::move(child), depth + 1);
        }
    }
};

} // namespace

std::string TaskSource::key() const {
    return fmt::format("{}:{}", hierarchy, path);
}

Result<TaskSource> Reader::task_source(const ProcCgroups& cg) const {
    for (Controller c : {Controller::cpuacct, Controller::cpu, Controller::pids, Controller::memory,
                         Controller::cpuset}) {
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

bool Reader::gone(const ProcCgroups& cg) const {
    auto src = task_source(cg);
    return src && !dirs_.exists(src->hierarchy, src->path);
}

Status Reader::list_tasks(const TaskSource& src, TaskList& out, std::size_t limit,
                          std::string& scratch) const {
    const auto& hierarchies = layout_.hierarchies();
    if (src.hierarchy < 0 || static_cast<std::size_t>(src.hierarchy) >= hierarchies.size()) {
        return Error{EINVAL, "no such hierarchy"};
    }
    const Hierarchy& h = hierarchies[static_cast<std::size_t>(src.hierarchy)];
    std::string rel = relative(src.path);
    UniqueFd dir(::openat(h.dirfd.get(), rel.c_str(), kDirFlags));
    if (!dir) {
        return make_error(errno, h.path + "/" + rel);
    }
    Walk walk{(src.v2 ? backend_v2() : backend_v1()).tasks_file(), out, limit, scratch};
    if (Status st = walk.visit(std::move(dir), 0); !st) {
        return Error{st.error().code, h.path + "/" + rel + ": " + st.error().context};
    }
    return Ok{};
}

} // namespace lensfs::cgroup
