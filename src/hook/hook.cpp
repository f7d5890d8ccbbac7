// The C ABI of liblensfs-hook.so. Each exported function is a boundary: nothing thrown below
// may cross it, and its only outputs are the return value and the thread's last-error text.

#include "lensfs/hook.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "client/client.hpp"
#include "hook/request.hpp"
#include "util/boundary.hpp"

namespace {

using namespace lensfs;

// A plain array: thread_local storage with no constructor, so the library has no dynamic
// initialisation at all, not even per thread.
constexpr std::size_t kErrorCapacity = 512;
thread_local char t_last_error[kErrorCapacity];

void set_last_error(std::string_view text) noexcept {
    std::size_t n = std::min(text.size(), kErrorCapacity - 1);
    std::memcpy(t_last_error, text.data(), n);
    t_last_error[n] = '\0';
}

// strerror() may share a buffer between threads; strerrordesc_np() returns constant text.
const char* describe(int code) noexcept {
    const char* text = strerrordesc_np(code);
    return text != nullptr ? text : "unknown error";
}

int fail(const Error& error) noexcept {
    try {
        set_last_error(error.context + ": " + describe(error.code));
    } catch (...) {
        set_last_error(describe(error.code));
    }
    return -error.code;
}

// Runs @p body, turning anything it throws into a negative errno.
template <typename Body> int guarded(Body&& body) noexcept {
    return at_boundary(
        [&] {
            set_last_error("");
            return body();
        },
        [](const Error& e) {
            set_last_error(e.code == ENOMEM ? "out of memory" : "internal error in liblensfs-hook");
            return -e.code;
        });
}

int exchange(const Request& request, const char* socket_path, int timeout_ms) {
    if (timeout_ms < 0) {
        return fail(make_error(EINVAL, "timeout_ms is negative"));
    }
    std::string path = client::socket_path(socket_path);
    auto response = client::call(path, request, timeout_ms);
    if (!response) {
        return fail(response.error());
    }
    if (response->error) {
        // The daemon's message already says what went wrong; strerror would only blur it.
        set_last_error("lensfs refused the request: " + response->error->message);
        return -client::errno_for(response->error->code);
    }
    return 0;
}

} // namespace

extern "C" {

int lensfs_ping(const char* socket_path, int timeout_ms) noexcept {
    return guarded([&] { return exchange(Request{{}, PingRequest{}}, socket_path, timeout_ms); });
}

int lensfs_register(const char* id, const char* cgroup, pid_t pid, double start_boottime,
                    const char* const* annotation_keys, const char* const* annotation_values,
                    size_t annotation_count, const char* socket_path, int timeout_ms) noexcept {
    return guarded([&] {
        hook::RegisterArgs args{
            id, cgroup, pid, start_boottime, annotation_keys, annotation_values, annotation_count};
        auto request = hook::make_register_request(args);
        if (!request) {
            return fail(request.error());
        }
        return exchange(Request{{}, std::move(*request)}, socket_path, timeout_ms);
    });
}

int lensfs_unregister(const char* id, const char* socket_path, int timeout_ms) noexcept {
    return guarded([&] {
        if (Status st = hook::check_id(id); !st) {
            return fail(st.error());
        }
        return exchange(Request{{}, UnregisterRequest{id}}, socket_path, timeout_ms);
    });
}

const char* lensfs_last_error(void) noexcept {
    return t_last_error;
}

} // extern "C"
