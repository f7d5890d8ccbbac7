#include "daemon/run.hpp"

#include <cstdio>
#include <cstdlib>

#include "daemon/handoff.hpp"
#include "daemon/keeper.hpp"
#include "daemon/server.hpp"
#include "util/log.hpp"

namespace lensfs::daemon {

namespace {

void note_ignored(const Options& o) {
    for (const std::string& opt : o.ignored_fuse_options) {
        log_info("-o {}: accepted for LXCFS compatibility, no effect", opt);
    }
}

} // namespace

int run(const Options& o, std::vector<std::string> argv) {
    log_configure(o.debug ? LogLevel::debug : LogLevel::info,
                  o.foreground ? LogSink::stderr_stream : LogSink::syslog);
    // A keeper starts servers with the same command line and a handoff in the environment.
    if (const char* text = std::getenv(kHandoffVar)) {
        auto handoff = decode_handoff(text);
        ::unsetenv(kHandoffVar);
        if (!handoff) {
            std::fprintf(stderr, "lensfs: %s\n", handoff.error().message().c_str());
            return 2;
        }
        return run_server(o, *handoff);
    }
    note_ignored(o);
    return run_keeper(o, std::move(argv));
}

} // namespace lensfs::daemon
