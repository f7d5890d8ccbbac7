#include "registry/state_file.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/json_depth.hpp"

namespace lensfs {

using nlohmann::json;

namespace {

json entry_to_json(const Entry& e) {
    json j = {
        {"id", e.id},
        {"cgroup", e.cgroup},
        {"start_boottime", e.start_boottime_s},
        {"start_wall", e.start_wall_s},
        {"annotations", e.annotations},
    };
    if (e.init_pid) {
        j["init_pid"] = *e.init_pid;
    }
    if (e.slot != 0) {
        j["slot"] = e.slot;
    }
    if (e.cpu_baseline) {
        const CpuBaseline& b = *e.cpu_baseline;
        j["cpu_baseline"] = {{"at", b.at_boottime_s},    {"user_ns", b.user_ns},
                             {"system_ns", b.system_ns}, {"intr", b.host.intr},
                             {"ctxt", b.host.ctxt},      {"processes", b.host.processes},
                             {"softirq", b.host.softirq}};
    }
    return j;
}

Error bad_entry(std::string message) {
    return Error{EINVAL, std::move(message)};
}

Status read_string(const json& j, const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
        return bad_entry(fmt::format("'{}' is missing or not a string", key));
    }
    out = it->get<std::string>();
    return Ok{};
}

Status read_seconds(const json& j, const char* key, double& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) {
        return bad_entry(fmt::format("'{}' is missing or not a number", key));
    }
    out = it->get<double>();
    return validate_time(key, out);
}

Status read_pid(const json& j, std::optional<pid_t>& out) {
    auto it = j.find("init_pid");
    if (it == j.end() || it->is_null()) {
        out.reset();
        return Ok{};
    }
    if (!it->is_number_integer()) {
        return bad_entry("'init_pid' is not an integer");
    }
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > kMaxPid) {
        return validate_pid(kMaxPid + 1LL);
    }
    auto pid = it->get<long long>();
    Status st = validate_pid(pid);
    if (st) {
        out = static_cast<pid_t>(pid);
    }
    return st;
}

Status read_annotations(const json& j, std::map<std::string, std::string>& out) {
    auto it = j.find("annotations");
    if (it == j.end() || it->is_null()) {
        return Ok{};
    }
    if (!it->is_object()) {
        return bad_entry("'annotations' is not an object");
    }
    for (const auto& [key, value] : it->items()) {
        if (!value.is_string()) {
            return bad_entry(fmt::format("annotation {} is not a string", quoted_excerpt(key)));
        }
        out.emplace(key, value.get<std::string>());
    }
    return validate_annotations(out);
}

// A slot that is missing or out of range is 0: the registry gives the entry a new one.
std::uint64_t read_slot(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) {
        return 0;
    }
    auto slot = it->get<std::uint64_t>();
    return slot <= kMaxSlot ? slot : 0;
}

// A baseline that is missing or malformed is none: the daemon takes a new one at first read.
std::optional<CpuBaseline> read_baseline(const json& j) {
    auto it = j.find("cpu_baseline");
    if (it == j.end() || !it->is_object()) {
        return std::nullopt;
    }
    auto number = [&](const char* key) -> std::optional<std::uint64_t> {
        auto f = it->find(key);
        return f != it->end() && f->is_number_unsigned() ? std::optional(f->get<std::uint64_t>())
                                                         : std::nullopt;
    };
    auto at = it->find("at");
    auto user = number("user_ns");
    auto system = number("system_ns");
    auto intr = number("intr");
    auto ctxt = number("ctxt");
    auto processes = number("processes");
    auto softirq = number("softirq");
    if (at == it->end() || !at->is_number() || !(at->get<double>() >= 0) || !user || !system ||
        !intr || !ctxt || !processes || !softirq) {
        return std::nullopt;
    }
    return CpuBaseline{at->get<double>(), *user, *system, {*intr, *ctxt, *processes, *softirq}};
}

Result<Entry> entry_from_json(const json& j) {
    if (!j.is_object()) {
        return bad_entry("not an object");
    }
    Entry e;
    Status st = read_string(j, "id", e.id);
    if (st) {
        st = read_string(j, "cgroup", e.cgroup);
    }
    if (st) {
        st = read_pid(j, e.init_pid);
    }
    if (st) {
        st = read_seconds(j, "start_boottime", e.start_boottime_s);
    }
    if (st) {
        st = read_seconds(j, "start_wall", e.start_wall_s);
    }
    if (st) {
        st = read_annotations(j, e.annotations);
    }
    if (st) {
        st = validate_entry(e);
    }
    if (!st) {
        return std::move(st).error();
    }
    e.slot = read_slot(j, "slot");
    e.cpu_baseline = read_baseline(j);
    return e;
}

Error corrupt(std::string message) {
    return Error{EBADMSG, std::move(message)};
}

Result<const json*> containers_of(const json& doc) {
    if (doc.is_discarded()) {
        return corrupt("not valid JSON (empty, truncated or garbled)");
    }
    if (!doc.is_object()) {
        return corrupt(fmt::format("top level is a JSON {}, not an object", doc.type_name()));
    }
    auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer() ||
        version->get<long long>() != kStateVersion) {
        return corrupt(fmt::format("'version' is missing or not {}", kStateVersion));
    }
    auto containers = doc.find("containers");
    if (containers == doc.end() || !containers->is_array()) {
        return corrupt("'containers' is missing or not an array");
    }
    return &*containers;
}

std::string entry_label(const json& j, std::size_t index) {
    auto id = j.is_object() ? j.find("id") : j.end();
    if (j.is_object() && id != j.end() && id->is_string()) {
        return fmt::format("entry {} (id {})", index, quoted_excerpt(id->get<std::string>()));
    }
    return fmt::format("entry {}", index);
}

} // namespace

std::string encode_state(const EntryMap& entries, std::uint64_t next_slot) {
    json list = json::array();
    for (const auto& [id, e] : entries) {
        list.push_back(entry_to_json(e));
    }
    json doc = {
        {"version", kStateVersion}, {"next_slot", next_slot}, {"containers", std::move(list)}};
    return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<DecodedState> decode_state(std::string_view text) {
    // The file is {"containers": [{... "annotations": {...}}]}: a few levels. Anything
    // deeper is not ours, and is refused before the parser builds a tree of it.
    if (json_nests_deeper_than(text, kMaxStateDepth)) {
        return corrupt(fmt::format("nests deeper than {} levels", kMaxStateDepth));
    }
    // No exceptions: the parser reports failure through a discarded value instead.
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    auto containers = containers_of(doc);
    if (!containers) {
        return std::move(containers).error();
    }
    DecodedState state;
    state.next_slot = std::max<std::uint64_t>(1, read_slot(doc, "next_slot"));
    std::set<std::string, std::less<>> seen;
    std::set<std::uint64_t> slots;
    std::size_t index = 0;
    for (const json& item : **containers) {
        auto entry = entry_from_json(item);
        if (!entry) {
            state.dropped.push_back(
                fmt::format("{}: {}", entry_label(item, index), entry.error().context));
        } else if (!seen.insert(entry->id).second) {
            state.dropped.push_back(fmt::format("{}: duplicate id", entry_label(item, index)));
        } else {
            if (entry->slot != 0 && !slots.insert(entry->slot).second) {
                entry->slot = 0; // a duplicate slot: the registry gives it a new one
            }
            state.next_slot = std::max(state.next_slot, entry->slot + 1);
            state.entries.push_back(std::move(entry).value());
        }
        ++index;
    }
    return state;
}

} // namespace lensfs
