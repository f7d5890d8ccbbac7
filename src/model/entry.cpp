#include "model/entry.hpp"

#include <cmath>

#include <fmt/format.h>

namespace lensfs {

namespace {

constexpr std::size_t kExcerptBytes = 64;

bool is_id_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

Error invalid(std::string message) {
    return Error{EINVAL, std::move(message)};
}
Error too_big(std::string message) {
    return Error{E2BIG, std::move(message)};
}

// The first reason @p cgroup is not canonical, or empty when it is.
std::string_view cgroup_defect(std::string_view cgroup) {
    if (cgroup.empty() || cgroup.front() != '/') {
        return "must be an absolute path";
    }
    if (cgroup.find('\0') != std::string_view::npos ||
        cgroup.find('\n') != std::string_view::npos) {
        return "must not contain NUL or newline characters";
    }
    if (!is_valid_utf8(cgroup)) {
        return "must be valid UTF-8";
    }
    if (cgroup == "/") {
        return {};
    }
    if (cgroup.back() == '/') {
        return "must not end with '/'";
    }
    std::string_view rest = cgroup.substr(1);
    for (;;) {
        auto slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        if (part.empty()) {
            return "must not contain '//'";
        }
        if (part == "." || part == "..") {
            return "must not contain '.' or '..' components";
        }
        if (slash == std::string_view::npos) {
            return {};
        }
        rest.remove_prefix(slash + 1);
    }
}

// Length of the UTF-8 sequence that starts with @p lead and the allowed range of its second
// byte (which rules out overlong forms, surrogates and code points past U+10FFFF).
struct Utf8Lead {
    int length;
    unsigned char low;
    unsigned char high;
};

Utf8Lead utf8_lead(unsigned char lead) {
    struct Row {
        unsigned char first;
        unsigned char last;
        Utf8Lead lead;
    };
    static constexpr Row kRows[] = {
        {0xc2, 0xdf, {2, 0x80, 0xbf}}, {0xe0, 0xe0, {3, 0xa0, 0xbf}}, {0xe1, 0xec, {3, 0x80, 0xbf}},
        {0xed, 0xed, {3, 0x80, 0x9f}}, {0xee, 0xef, {3, 0x80, 0xbf}}, {0xf0, 0xf0, {4, 0x90, 0xbf}},
        {0xf1, 0xf3, {4, 0x80, 0xbf}}, {0xf4, 0xf4, {4, 0x80, 0x8f}},
    };
    for (const Row& row : kRows) {
        if (lead >= row.first && lead <= row.last) {
            return row.lead;
        }
    }
    return {0, 0, 0};
}

} // namespace

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        Utf8Lead lead = utf8_lead(c);
        if (lead.length == 0 || text.size() - i < static_cast<std::size_t>(lead.length)) {
            return false;
        }
        auto second = static_cast<unsigned char>(text[i + 1]);
        if (second < lead.low || second > lead.high) {
            return false;
        }
        for (int k = 2; k < lead.length; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if (next < 0x80 || next > 0xbf) {
                return false;
            }
        }
        i += static_cast<std::size_t>(lead.length);
    }
    return true;
}

std::string quoted_excerpt(std::string_view text) {
    std::string out = "'";
    for (std::size_t i = 0; i < text.size() && i < kExcerptBytes; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c >= 0x7f) {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out += static_cast<char>(c);
        }
    }
    out += text.size() > kExcerptBytes ? "'..." : "'";
    return out;
}

Status validate_id(std::string_view id) {
    if (id.empty()) {
        return invalid("container id must not be empty");
    }
    if (id.size() > kMaxIdLength) {
        return too_big(fmt::format("container id {} is longer than {} characters",
                                   quoted_excerpt(id), kMaxIdLength));
    }
    for (char c : id) {
        if (!is_id_char(c)) {
            return invalid(
                fmt::format("container id {} may only contain letters, digits, '_', '.' and '-'",
                            quoted_excerpt(id)));
        }
    }
    return Ok{};
}

Status validate_cgroup(std::string_view cgroup) {
    if (cgroup.size() > kMaxCgroupLength) {
        return too_big(fmt::format("cgroup path {} is longer than {} characters",
                                   quoted_excerpt(cgroup), kMaxCgroupLength));
    }
    std::string_view defect = cgroup_defect(cgroup);
    if (!defect.empty()) {
        return invalid(fmt::format("cgroup path {} {}", quoted_excerpt(cgroup), defect));
    }
    return Ok{};
}

Status validate_pid(long long pid) {
    if (pid < 1 || pid > kMaxPid) {
        return invalid(fmt::format("pid {} is not between 1 and {}", pid, kMaxPid));
    }
    return Ok{};
}

Status validate_time(std::string_view field, double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) {
        return invalid(fmt::format("{} must be a finite, non-negative number of seconds", field));
    }
    return Ok{};
}

Status validate_annotations(const std::map<std::string, std::string>& annotations) {
    if (annotations.size() > kMaxAnnotations) {
        return too_big(fmt::format("{} annotations given, at most {} are allowed",
                                   annotations.size(), kMaxAnnotations));
    }
    for (const auto& [key, value] : annotations) {
        if (key.empty()) {
            return invalid("annotation keys must not be empty");
        }
        if (!is_valid_utf8(key) || !is_valid_utf8(value)) {
            return invalid(fmt::format("annotation {} is not valid UTF-8", quoted_excerpt(key)));
        }
        if (key.size() > kMaxAnnotationKeyLength) {
            return too_big(fmt::format("annotation key {} is longer than {} bytes",
                                       quoted_excerpt(key), kMaxAnnotationKeyLength));
        }
        if (value.size() > kMaxAnnotationValueLength) {
            return too_big(fmt::format("annotation {} has a value longer than {} bytes",
                                       quoted_excerpt(key), kMaxAnnotationValueLength));
        }
    }
    return Ok{};
}

Status validate_entry(const Entry& entry) {
    Status st = validate_id(entry.id);
    if (st) {
        st = validate_cgroup(entry.cgroup);
    }
    if (st && entry.init_pid) {
        st = validate_pid(*entry.init_pid);
    }
    if (st) {
        st = validate_time("start_boottime", entry.start_boottime_s);
    }
    if (st) {
        st = validate_time("start_wall", entry.start_wall_s);
    }
    if (st) {
        st = validate_annotations(entry.annotations);
    }
    return st;
}

} // namespace lensfs
