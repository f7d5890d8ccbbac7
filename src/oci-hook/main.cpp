// lensfs-oci-hook: an OCI runtime hook built on liblensfs-hook. Thin: it reads the state,
// picks the stage's action and reports the outcome in one line.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "client/client.hpp"
#include "lensfs/hook.h"
#include "oci-hook/mounts.hpp"
#include "oci-hook/options.hpp"
#include "oci-hook/state.hpp"
#include "model/entry.hpp"
#include "util/file.hpp"

namespace {

using namespace lensfs;
using namespace lensfs::oci;

// One line on stderr; the exit status follows --strict.
int report(const Options& o, const std::string& what, const char* otherwise) {
    std::string line = fmt::format("lensfs-oci-hook: {}: {}; {}\n", o.stage_name, what,
                                   o.strict ? "failing (--strict)" : otherwise);
    std::fputs(line.c_str(), stderr);
    return o.strict ? 1 : 0;
}

// The state on stdin, which must end (EOF) within @p timeout_ms: a runtime that never closes
// the pipe must not hold the container's start for ever.
Result<std::string> read_stdin(int timeout_ms) {
    if (timeout_ms <= 0) {
        timeout_ms = client::kDefaultTimeoutMs;
    }
    std::string text;
    char buf[65536];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        pollfd pfd{STDIN_FILENO, POLLIN, 0};
        int ready = left > 0 ? ::poll(&pfd, 1, static_cast<int>(left)) : 0;
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0) {
            return make_error(errno, "waiting for the state on stdin");
        }
        if (ready == 0) {
            return Error{ETIMEDOUT, fmt::format("the state on stdin did not end within {} ms "
                                                "(--timeout)",
                                                timeout_ms)};
        }
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
        if (n == 0) {
            return text;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return make_error(errno, "reading the state from stdin");
        }
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > kMaxInputBytes) {
            return Error{E2BIG,
                         fmt::format("the state on stdin is larger than {} bytes", kMaxInputBytes)};
        }
    }
}

const char* daemon_hint(int rc) {
    return rc == -ENOENT || rc == -ECONNREFUSED ? " (is the daemon running?)" : "";
}

int do_register(const Options& o, const State& s) {
    if (!s.pid) {
        return report(o, fmt::format("container '{}': the state has no pid", s.id),
                      "the container starts without lensfs");
    }
    // Annotations travel with the entry; ones over the daemon's limits are left out rather
    // than costing the container its registration.
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [key, value] : s.annotations) {
        if (keys.size() < kMaxAnnotations && !key.empty() &&
            key.size() <= kMaxAnnotationKeyLength && value.size() <= kMaxAnnotationValueLength) {
            keys.push_back(key.c_str());
            values.push_back(value.c_str());
        }
    }
    int rc = lensfs_register(s.id.c_str(), nullptr, *s.pid, 0, keys.data(), values.data(),
                             keys.size(), o.socket.c_str(), o.timeout_ms);
    if (rc == 0) {
        return 0;
    }
    return report(o,
                  fmt::format("cannot register container '{}': {}{}", s.id, lensfs_last_error(),
                              daemon_hint(rc)),
                  "the container starts without lensfs");
}

int do_unregister(const Options& o, const State& s) {
    int rc = lensfs_unregister(s.id.c_str(), o.socket.c_str(), o.timeout_ms);
    // Never registered (the daemon was down at start) or already gone: nothing to undo.
    if (rc == 0 || rc == -ESRCH) {
        return 0;
    }
    return report(o,
                  fmt::format("cannot unregister container '{}': {}{}", s.id, lensfs_last_error(),
                              daemon_hint(rc)),
                  "its entry stays until the daemon prunes it");
}

// root.path from the bundle's config.json; crun also names the root in the state itself.
Result<std::string> find_rootfs(const State& s) {
    if (s.bundle.empty() && s.rootfs.empty()) {
        return Error{EINVAL, "the state has no bundle"};
    }
    if (!s.bundle.empty()) {
        auto config = read_file(s.bundle + "/config.json", kMaxInputBytes);
        if (config || s.rootfs.empty()) {
            if (!config) {
                return std::move(config).error();
            }
            auto root = parse_root_path(*config);
            if (!root) {
                return std::move(root).error();
            }
            return resolve_rootfs(s.bundle, *root);
        }
    }
    return resolve_rootfs("/", s.rootfs);
}

int do_mount(const Options& o, const State& s) {
    const char* otherwise = "the container sees the host's /proc files";
    auto rootfs = find_rootfs(s);
    if (!rootfs) {
        return report(o, fmt::format("container '{}': {}", s.id, rootfs.error().message()),
                      otherwise);
    }
    auto done = mount_views(o.mount_dir, s.id, *rootfs);
    if (!done) {
        return report(o,
                      fmt::format("cannot mount the lensfs files of {} into container '{}': {}",
                                  o.mount_dir, s.id, done.error().message()),
                      otherwise);
    }
    return 0;
}

int run(const Options& o) {
    const char* otherwise = "the container runs without lensfs";
    auto text = read_stdin(o.timeout_ms);
    if (!text) {
        return report(
            o, text.error().code == ETIMEDOUT ? text.error().context : text.error().message(),
            otherwise);
    }
    auto state = parse_state(*text);
    if (!state) {
        return report(o, "bad container state on stdin: " + state.error().context, otherwise);
    }
    switch (o.stage) {
    case Stage::create_runtime:
    case Stage::prestart:
        return do_register(o, *state);
    case Stage::create_container:
        return do_mount(o, *state);
    case Stage::poststop:
        return do_unregister(o, *state);
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    Options fallback;
    fallback.stage_name = "lensfs-oci-hook";
    const Options* current = &fallback;
    try {
        auto options = parse_options(argc, argv);
        if (!options) {
            std::fprintf(stderr, "lensfs-oci-hook: %s\n", options.error().context.c_str());
            return 2;
        }
        if (options->help) {
            std::fputs(usage_text(), stdout);
            return 0;
        }
        if (options->version) {
            std::printf("lensfs-oci-hook %s\n", LENSFS_VERSION);
            return 0;
        }
        current = &*options;
        return run(*options);
    } catch (const std::exception& e) {
        try {
            return report(*current, std::string("internal error: ") + e.what(),
                          "the container runs without lensfs");
        } catch (...) {
            std::fputs("lensfs-oci-hook: internal error\n", stderr);
            return current->strict ? 1 : 0;
        }
    }
}
