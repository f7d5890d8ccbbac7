#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace lensfs::oci {

/// The OCI hook stages lensfs-oci-hook acts on.
enum class Stage { create_runtime, prestart, create_container, poststop };

/// The stage spelled @p name as in the OCI runtime spec ("createRuntime", ...).
std::optional<Stage> stage_from_name(std::string_view name);

/// Where lensfs mounts its views unless told otherwise.
inline constexpr const char* kDefaultMountDir = "/var/lib/lensfs";

struct Options {
    Stage stage = Stage::create_runtime;
    std::string stage_name;
    std::string socket; ///< "" = LENSFS_SOCKET, else the default socket
    std::string mount_dir = kDefaultMountDir;
    int timeout_ms = 0; ///< 0 = the client's default
    bool strict = false;
    bool help = false;
    bool version = false;
};

/// Parses the command line; EINVAL with a message for the user on a mistake.
Result<Options> parse_options(int argc, char** argv);

const char* usage_text();

} // namespace lensfs::oci
