#include "oci-hook/state.hpp"

#include <filesystem>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/entry.hpp"
#include "util/json_depth.hpp"

namespace lensfs::oci {

namespace {

using nlohmann::json;

Error invalid(std::string message) {
    return Error{EINVAL, std::move(message)};
}

// nlohmann's message without its "[json.exception.parse_error.101] " tag.
std::string_view parse_detail(std::string_view what) {
    auto tag_end = what.find("] ");
    return tag_end == std::string_view::npos ? what : what.substr(tag_end + 2);
}

Result<json> parse_object(std::string_view text, const char* what) {
    if (text.size() > kMaxInputBytes) {
        return Error{E2BIG, fmt::format("{} is larger than {} bytes", what, kMaxInputBytes)};
    }
    if (json_nests_deeper_than(text, kMaxDepth)) {
        return Error{E2BIG, fmt::format("{} nests deeper than {} levels", what, kMaxDepth)};
    }
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        // parse_error for bad syntax, out_of_range for a number past double's range (1e999).
        return invalid(fmt::format("{} is not valid JSON: {}", what, parse_detail(e.what())));
    }
    if (!doc.is_object()) {
        return invalid(fmt::format("{} is not a JSON object", what));
    }
    return doc;
}

// The string field @p key: absent or null gives "", another type an error.
Result<std::string> optional_text(const json& doc, const char* key) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        return std::string();
    }
    if (!it->is_string()) {
        return invalid(fmt::format("state field '{}' is not a string", key));
    }
    return it->get<std::string>();
}

Result<std::optional<pid_t>> read_pid(const json& doc) {
    auto it = doc.find("pid");
    if (it == doc.end() || it->is_null()) {
        return std::optional<pid_t>();
    }
    if (!it->is_number_integer()) {
        return invalid("state field 'pid' is not an integer");
    }
    auto pid = it->get<std::int64_t>();
    if (pid < 0 || pid > std::numeric_limits<pid_t>::max()) {
        return invalid(fmt::format("state field 'pid' is out of range: {}", pid));
    }
    return pid == 0 ? std::optional<pid_t>() : std::optional<pid_t>(static_cast<pid_t>(pid));
}

Result<std::map<std::string, std::string>> read_annotations(const json& doc) {
    std::map<std::string, std::string> out;
    auto it = doc.find("annotations");
    if (it == doc.end() || it->is_null()) {
        return out;
    }
    if (!it->is_object()) {
        return invalid("state field 'annotations' is not an object");
    }
    for (const auto& [key, value] : it->items()) {
        if (!value.is_string()) {
            return invalid(fmt::format("annotation '{}' is not a string", key));
        }
        out.emplace(key, value.get<std::string>());
    }
    return out;
}

Status read_texts(const json& doc, State& s) {
    struct Field {
        const char* key;
        std::string* out;
    };
    for (Field f :
         {Field{"ociVersion", &s.oci_version}, Field{"id", &s.id}, Field{"status", &s.status},
          Field{"bundle", &s.bundle}, Field{"root", &s.rootfs}}) {
        auto text = optional_text(doc, f.key);
        if (!text) {
            return std::move(text).error();
        }
        *f.out = std::move(*text);
    }
    return Ok{};
}

} // namespace

Result<State> parse_state(std::string_view text) {
    auto doc = parse_object(text, "the container state");
    if (!doc) {
        return std::move(doc).error();
    }
    if (!doc->contains("id")) {
        return invalid("the container state has no 'id'");
    }
    State s;
    if (Status st = read_texts(*doc, s); !st) {
        return std::move(st).error();
    }
    if (s.id.empty()) {
        return invalid("the container state has an empty 'id'");
    }
    // The registry's rule, checked here too: an id with a NUL, a '/' or control characters
    // would name another container once passed on as a C string or a path.
    if (Status st = validate_id(s.id); !st) {
        return invalid(fmt::format("the container state's 'id' is not valid: {}",
                                   std::move(st).error().context));
    }
    auto pid = read_pid(*doc);
    if (!pid) {
        return std::move(pid).error();
    }
    s.pid = *pid;
    auto annotations = read_annotations(*doc);
    if (!annotations) {
        return std::move(annotations).error();
    }
    s.annotations = std::move(*annotations);
    return s;
}

Result<std::string> parse_root_path(std::string_view config_json) {
    auto doc = parse_object(config_json, "config.json");
    if (!doc) {
        return std::move(doc).error();
    }
    auto root = doc->find("root");
    if (root == doc->end() || !root->is_object()) {
        return invalid("config.json has no 'root' object");
    }
    auto path = root->find("path");
    if (path == root->end() || !path->is_string() || path->get_ref<const std::string&>().empty()) {
        return invalid("config.json has no 'root.path' string");
    }
    return path->get<std::string>();
}

std::string resolve_rootfs(std::string_view bundle, std::string_view root_path) {
    std::filesystem::path root(root_path);
    if (root.is_relative()) {
        root = std::filesystem::path(bundle) / root;
    }
    std::string out = root.lexically_normal().string();
    if (out.size() > 1 && out.back() == '/') {
        out.pop_back();
    }
    return out;
}

} // namespace lensfs::oci
