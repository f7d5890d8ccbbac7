#pragma once

#include "util/unique_fd.hpp"

namespace lensfs::daemon {

/// Detaches from the terminal: forks, and the parent waits until the child calls
/// report_ready() (then exits 0) or exits (then exits with its status), so the shell that
/// started lensfs learns whether it serves. Returns in the child only, in a new session with
/// stdin and stdout on /dev/null, with the descriptor to pass to report_ready(). Its stderr
/// stays on the terminal until then, so that start-up errors reach it.
///
/// Call before any thread is started: threads do not survive fork().
UniqueFd detach();

/// Lets the parent of detach() exit 0, and sends stderr to /dev/null. No-op on an empty fd.
void report_ready(UniqueFd& ready);

} // namespace lensfs::daemon
