// Command line of lensfs-bench.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lensfs::bench {

/// What one lensfs-bench invocation measures.
struct Options {
    unsigned threads = 1;
    double duration_s = 5.0;
    std::uint64_t iterations = 0; ///< per thread; 0 means "run for duration_s"
    std::uint64_t warmup = 100;   ///< unrecorded ops per thread before the start barrier
    std::size_t buffer = 64 * 1024;
    double timeout_s = 0; ///< give up when a run lasts this long; 0: duration * 2 + 10
    bool json = false;
    std::vector<std::string> files;
};

/// Fills @p opt from the command line. Returns -1 to go on, else the exit code to return
/// (0 after --help, 2 after a usage error, already reported on stderr).
int parse_args(int argc, char** argv, Options& opt);

} // namespace lensfs::bench
