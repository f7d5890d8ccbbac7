#include "hook/request.hpp"

#include <string>

#include "model/entry.hpp"

namespace lensfs::hook {

namespace {

Result<std::map<std::string, std::string>> make_annotations(const RegisterArgs& a) {
    std::map<std::string, std::string> out;
    if (a.count == 0) {
        return out;
    }
    if (a.keys == nullptr || a.values == nullptr) {
        return make_error(EINVAL, "annotations: key or value array is NULL");
    }
    if (a.count > kMaxAnnotations) {
        return make_error(E2BIG, "annotations: more than " + std::to_string(kMaxAnnotations));
    }
    for (std::size_t i = 0; i < a.count; ++i) {
        if (a.keys[i] == nullptr || a.values[i] == nullptr) {
            return make_error(EINVAL, "annotation " + std::to_string(i) + " is NULL");
        }
        if (!out.emplace(a.keys[i], a.values[i]).second) {
            return make_error(EINVAL,
                              "annotation key " + quoted_excerpt(a.keys[i]) + " is given twice");
        }
    }
    if (Status st = validate_annotations(out); !st) {
        return std::move(st).error();
    }
    return out;
}

Status check_target(const RegisterArgs& a) {
    bool has_cgroup = a.cgroup != nullptr && *a.cgroup != '\0';
    if (!has_cgroup && a.pid == 0) {
        return make_error(EINVAL, "neither a cgroup nor a pid was given");
    }
    if (has_cgroup) {
        if (Status st = validate_cgroup(a.cgroup); !st) {
            return st;
        }
    }
    if (a.pid != 0) {
        return validate_pid(a.pid);
    }
    return Ok{};
}

} // namespace

Status check_id(const char* id) {
    if (id == nullptr) {
        return make_error(EINVAL, "id is NULL");
    }
    return validate_id(id);
}

Result<RegisterRequest> make_register_request(const RegisterArgs& a) {
    if (Status st = check_id(a.id); !st) {
        return std::move(st).error();
    }
    if (Status st = check_target(a); !st) {
        return std::move(st).error();
    }
    if (Status st = validate_time("start_boottime", a.start_boottime); !st) {
        return std::move(st).error();
    }
    auto annotations = make_annotations(a);
    if (!annotations) {
        return std::move(annotations).error();
    }
    RegisterRequest r;
    r.id = a.id;
    if (a.cgroup != nullptr && *a.cgroup != '\0') {
        r.cgroup = a.cgroup;
    }
    if (a.pid != 0) {
        r.pid = a.pid;
    }
    if (a.start_boottime > 0) {
        r.start_time = StartTime{a.start_boottime, std::nullopt};
    }
    r.annotations = std::move(*annotations);
    return r;
}

} // namespace lensfs::hook
