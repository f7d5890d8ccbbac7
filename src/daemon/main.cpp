// lensfs: the daemon. Thin: options, then run(); the work is in the modules.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "daemon/options.hpp"
#include "daemon/run.hpp"

int main(int argc, char** argv) {
    using namespace lensfs;
    try {
        auto options = daemon::parse_options(argc, argv);
        if (!options) {
            std::fprintf(stderr, "lensfs: %s\n", options.error().context.c_str());
            return 2;
        }
        if (options->help) {
            std::fputs(daemon::usage_text(), stdout);
            return 0;
        }
        if (options->version) {
            std::printf("lensfs %s\n", LENSFS_VERSION);
            return 0;
        }
        return daemon::run(*options, std::vector<std::string>(argv, argv + argc));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lensfs: fatal: %s\n", e.what());
        return 1;
    }
}
