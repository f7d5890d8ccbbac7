#include "seccomp/process_state.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/entry.hpp"
#include "util/json_depth.hpp"

namespace lensfs::seccomp {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxDepth = 32;

Error invalid(std::string why) {
    return Error{EINVAL, "container process state: " + std::move(why)};
}

Result<pid_t> pid_field(const json& doc, const char* where) {
    auto it = doc.find("pid");
    if (it == doc.end() || !it->is_number_integer()) {
        return invalid(fmt::format("{} has no integer \"pid\"", where));
    }
    long long pid = it->get<long long>();
    if (Status st = validate_pid(pid); !st) {
        return invalid(fmt::format("{}: {}", where, st.error().context));
    }
    return static_cast<pid_t>(pid);
}

} // namespace

Result<ProcessState> decode_process_state(std::string_view text) {
    if (text.size() > kMaxStateBytes) {
        return invalid(fmt::format("larger than {} bytes", kMaxStateBytes));
    }
    if (json_nests_deeper_than(text, kMaxDepth)) {
        return invalid(fmt::format("nests deeper than {} levels", kMaxDepth));
    }
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::exception&) {
        return invalid("not valid JSON");
    }
    if (!doc.is_object()) {
        return invalid("not a JSON object");
    }
    ProcessState out;
    auto fds = doc.find("fds");
    if (fds == doc.end() || !fds->is_array()) {
        return invalid("no \"fds\" list");
    }
    out.fd_count = fds->size();
    bool found = false;
    for (std::size_t i = 0; i < fds->size(); ++i) {
        if ((*fds)[i] == "seccompFd") {
            out.listener_index = i;
            found = true;
            break;
        }
    }
    if (!found) {
        return invalid("\"fds\" names no \"seccompFd\"");
    }
    auto state = doc.find("state");
    if (state == doc.end() || !state->is_object()) {
        return invalid("no \"state\" object");
    }
    auto id = state->find("id");
    if (id == state->end() || !id->is_string()) {
        return invalid("the state has no string \"id\"");
    }
    out.id = id->get<std::string>();
    if (Status st = validate_id(out.id); !st) {
        return invalid(st.error().context);
    }
    auto pid = doc.contains("pid") ? pid_field(doc, "the message") : pid_field(*state, "the state");
    if (!pid) {
        return std::move(pid).error();
    }
    out.pid = *pid;
    return out;
}

} // namespace lensfs::seccomp
