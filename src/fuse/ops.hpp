#pragma once

#include <fuse_lowlevel.h>

namespace lensfs::fuse {

/// The low-level operations table. Every callback replies exactly once and lets no
/// exception escape.
const fuse_lowlevel_ops& lowlevel_ops();

} // namespace lensfs::fuse
