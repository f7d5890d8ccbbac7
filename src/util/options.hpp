#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace lensfs {

/// One command-line option of a program, as a row of the program's option table: its long
/// name (nullptr: a one-letter option only), its one-letter name (0: none), whether it takes
/// a value, and what it does to the program's parsed @p State. An alias is a second row with
/// the same action.
template <typename State> struct OptionRow {
    const char* name;
    char letter;
    bool takes_value;
    Status (*apply)(const char* value, State& state);
};

/// The class a pointer to member belongs to.
template <typename T> struct ClassOf;
template <typename C, typename M> struct ClassOf<M C::*> { using type = C; };

/// Row actions for the common cases: `&store_value<&Options::socket>` keeps the value,
/// `&set_flag<&Options::help>` and `&clear_flag<&Options::swap>` set a bool.
template <auto Field>
Status store_value(const char* value, typename ClassOf<decltype(Field)>::type& state) {
    state.*Field = value;
    return Ok{};
}
template <auto Field>
Status set_flag(const char* /*value*/, typename ClassOf<decltype(Field)>::type& state) {
    state.*Field = true;
    return Ok{};
}
template <auto Field>
Status clear_flag(const char* /*value*/, typename ClassOf<decltype(Field)>::type& state) {
    state.*Field = false;
    return Ok{};
}

/// What the parser needs to know of a row, whatever the program's State.
struct OptionShape {
    const char* name;
    char letter;
    bool takes_value;
};

/// getopt_long over @p shapes: calls @p on with the index of each option met and its value
/// (nullptr without one) and stops at the first error it returns; returns the words that are
/// not options, in order. An unknown option or a missing value is EINVAL "unknown option or
/// missing argument: ARG (try --help)". Not thread-safe (getopt's global state): call it
/// before starting threads.
Result<std::vector<std::string>>
parse_command_line(int argc, char** argv, std::span<const OptionShape> shapes,
                   const std::function<Status(std::size_t, const char*)>& on);

/// The same over a program's option table, applying each option to @p state.
template <typename State, std::size_t N>
Result<std::vector<std::string>>
parse_command_line(int argc, char** argv, const OptionRow<State> (&rows)[N], State& state) {
    std::array<OptionShape, N> shapes{};
    for (std::size_t i = 0; i < N; ++i) {
        shapes[i] = {rows[i].name, rows[i].letter, rows[i].takes_value};
    }
    return parse_command_line(argc, argv, shapes, [&rows, &state](std::size_t i, const char* v) {
        return rows[i].apply(v, state);
    });
}

/// @p value as a whole number from @p low to @p high; otherwise EINVAL with @p message.
Result<std::uint64_t> number_option(const char* value, std::uint64_t low, std::uint64_t high,
                                    const char* message);

/// number_option() stored into @p field.
template <typename T>
Status store_number(const char* value, T& field, std::uint64_t low, std::uint64_t high,
                    const char* message) {
    auto n = number_option(value, low, high, message);
    if (!n) {
        return std::move(n).error();
    }
    field = static_cast<T>(*n);
    return Ok{};
}

} // namespace lensfs
