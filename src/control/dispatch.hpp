#pragma once

#include <string>
#include <string_view>

#include "control/handlers.hpp"

namespace lensfs::control {

/// The response line to one request line (newline included or not): decodes it, runs the
/// operation's handler and turns every failure into an error response. Exceptions stop
/// here; only std::bad_alloc from encoding the reply itself can escape.
std::string dispatch(std::string_view line, HandlerContext& context);

} // namespace lensfs::control
