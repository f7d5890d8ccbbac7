#pragma once

#include <cstddef>
#include <string_view>

namespace lensfs {

/// Whether arrays and objects in the JSON text @p text nest deeper than @p limit, counted
/// without parsing (brackets inside strings do not count). Run before parsing untrusted
/// text, so that a hostile "[[[[..." costs one linear scan instead of a deep tree.
bool json_nests_deeper_than(std::string_view text, std::size_t limit) noexcept;

} // namespace lensfs
