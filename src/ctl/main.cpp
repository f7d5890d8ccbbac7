// lensctl: the operator's CLI. Thin: options, then one command.
#include <cstdio>
#include <exception>

#include "ctl/commands.hpp"
#include "ctl/oci_config.hpp"
#include "ctl/options.hpp"

int main(int argc, char** argv) {
    using namespace lensfs::ctl;
    try {
        auto options = parse_options(argc, argv);
        if (!options) {
            std::fprintf(stderr, "lensctl: %s\n", options.error().context.c_str());
            return kExitUsage;
        }
        if (options->help) {
            std::fputs(usage_text(), stdout);
            return kExitOk;
        }
        if (options->version) {
            std::printf("lensctl %s\n", LENSFS_VERSION);
            return kExitOk;
        }
        switch (options->command) {
        case Command::show:
            return run_show(*options);
        case Command::upgrade:
            return run_upgrade(*options);
        case Command::oci_config:
            return run_oci_config(*options);
        default:
            return run_daemon_command(*options);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lensctl: fatal: %s\n", e.what());
        return kExitFailed;
    }
}
