#pragma once

#include <string>

namespace lensfs::daemon {

/// Detaches from the terminal: forks, and the parent waits until the child has mounted
/// @p mountpoint (then exits 0) or the child exits (then exits with its status), so the
/// shell that started lensfs learns whether it serves. Returns in the child only, in a new
/// session with stdin and stdout on /dev/null; its stderr goes to /dev/null once the mount
/// is up, so that mount errors still reach the terminal.
///
/// Call before any thread is started: threads do not survive fork().
void detach(const std::string& mountpoint);

} // namespace lensfs::daemon
