#pragma once

#include "util/result.hpp"

namespace lensfs {

/// The exception being handled, as an Error: ENOMEM "out of memory" for std::bad_alloc, EIO
/// with what() for another std::exception, EIO "unknown exception" for anything else. Call it
/// only inside a catch block.
Error current_exception_error() noexcept;

/// Runs @p body and returns what it returns; if it throws, the exception as an Error
/// (current_exception_error()) goes to @p on_error, whose result is returned instead. This is
/// how an exception stops at a boundary it must not cross: a FUSE callback, an Asio handler,
/// a hook-library function, a decoder that promises noexcept (docs/errors.md). @p on_error
/// must not throw.
template <typename Body, typename OnError>
auto at_boundary(Body&& body, OnError&& on_error) noexcept -> decltype(body()) {
    try {
        return body();
    } catch (...) {
        return on_error(current_exception_error());
    }
}

} // namespace lensfs
