#include "model/boundary.hpp"

namespace lensfs {

bool cgroup_within(std::string_view path, std::string_view root) {
    if (root == "/") {
        return !path.empty() && path.front() == '/';
    }
    return path.substr(0, root.size()) == root &&
           (path.size() == root.size() || path[root.size()] == '/');
}

bool owns_before(const Entry& a, const Entry& b) {
    if (a.start_boottime_s != b.start_boottime_s) {
        return a.start_boottime_s > b.start_boottime_s;
    }
    return a.id > b.id;
}

const Entry* longest_containing(std::span<const Entry> entries, std::string_view cgroup) {
    const Entry* best = nullptr;
    for (const auto& e : entries) {
        if (!cgroup_within(cgroup, e.cgroup)) {
            continue;
        }
        if (best == nullptr || e.cgroup.size() > best->cgroup.size() ||
            (e.cgroup.size() == best->cgroup.size() && owns_before(e, *best))) {
            best = &e;
        }
    }
    return best;
}

} // namespace lensfs
