#include "util/options.hpp"

#include <getopt.h>

#include "util/parse.hpp"

namespace lensfs {

Result<std::vector<std::string>>
parse_command_line(int argc, char** argv, std::span<const OptionShape> shapes,
                   const std::function<Status(std::size_t, const char*)>& on) {
    // A long option comes back as 256 + its row, a one-letter one as its letter. Options may
    // stand anywhere among the words (GNU order). A leading ':' makes a missing value ':'.
    std::vector<option> longs;
    std::string letters = ":";
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const OptionShape& s = shapes[i];
        if (s.name != nullptr) {
            longs.push_back({s.name, s.takes_value ? required_argument : no_argument, nullptr,
                             static_cast<int>(256 + i)});
        }
        if (s.letter != 0) {
            letters.push_back(s.letter);
            if (s.takes_value) {
                letters.push_back(':');
            }
        }
    }
    longs.push_back({nullptr, 0, nullptr, 0});

    optind = 0; // 0, not 1: glibc then also forgets the state of an earlier parse
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, letters.c_str(), longs.data(), nullptr)) != -1) {
        if (opt == '?' || opt == ':') {
            return Error{EINVAL, std::string("unknown option or missing argument: ") +
                                     (optind > 0 && optind <= argc ? argv[optind - 1] : "?") +
                                     " (try --help)"};
        }
        std::size_t row = shapes.size();
        if (opt >= 256) {
            row = static_cast<std::size_t>(opt - 256);
        } else {
            for (std::size_t i = 0; i < shapes.size(); ++i) {
                if (shapes[i].letter == opt) {
                    row = i;
                    break;
                }
            }
        }
        if (row == shapes.size()) {
            return Error{EINVAL, "unknown option (try --help)"};
        }
        if (Status st = on(row, optarg); !st) {
            return std::move(st).error();
        }
    }
    return std::vector<std::string>(argv + optind, argv + argc);
}

Result<std::uint64_t> number_option(const char* value, std::uint64_t low, std::uint64_t high,
                                    const char* message) {
    auto n = parse_u64(value == nullptr ? "" : value);
    if (!n || *n < low || *n > high) {
        return Error{EINVAL, message};
    }
    return *n;
}

} // namespace lensfs
