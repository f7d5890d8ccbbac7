#pragma once

// Private to the hook library: the C arguments of lensfs_register() checked and turned into
// a protocol request, before any connection is made.

#include <cstddef>
#include <sys/types.h>

#include "protocol/messages.hpp"
#include "util/result.hpp"

namespace lensfs::hook {

/// The C arguments of lensfs_register(), as given.
struct RegisterArgs {
    const char* id = nullptr;
    const char* cgroup = nullptr;
    pid_t pid = 0;
    double start_boottime = 0;
    const char* const* keys = nullptr;
    const char* const* values = nullptr;
    std::size_t count = 0;
};

/// The register request for @p args, or EINVAL / E2BIG naming the first bad argument. Uses
/// the same validators as the daemon, so a request it builds is never refused for its shape.
Result<RegisterRequest> make_register_request(const RegisterArgs& args);

/// EINVAL unless @p id is a valid container id.
Status check_id(const char* id);

} // namespace lensfs::hook
