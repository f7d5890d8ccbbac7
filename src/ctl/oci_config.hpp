#pragma once
// `lensctl oci-config`: what lensfs needs in an OCI bundle's config.json. The transformation
// is pure (text in, text and a list of changes out); run_oci_config() does the I/O.

#include <string>
#include <string_view>
#include <vector>

#include "ctl/options.hpp"
#include "util/result.hpp"

namespace lensfs::ctl {

struct OciPlan {
    std::string hook;           ///< absolute path of lensfs-oci-hook
    std::string control_socket; ///< "" = the hook's default socket
    std::string mount;          ///< "" = the hook's default mount (/var/lib/lensfs)
    std::string seccomp_socket; ///< "" = no seccomp piece
};

struct OciEdit {
    std::string text;                 ///< the new config.json
    std::vector<std::string> changes; ///< one line per change; empty: nothing to do
};

/// Adds (or replaces) the lensfs-oci-hook entries of the three stages and, with a seccomp
/// socket, the notify rule for sysinfo and the listenerPath, keeping everything else and the
/// order of keys. EINVAL with a reason for a config that cannot take them (not an object, a
/// seccomp profile whose default action is already SCMP_ACT_NOTIFY, another listenerPath, a
/// rule with arguments for sysinfo, fields of the wrong type).
Result<OciEdit> configure_oci(std::string_view config, const OciPlan& plan);

/// oci-config: exit status.
int run_oci_config(const Options& o);

} // namespace lensfs::ctl
