#include "util/boundary.hpp"

#include <exception>
#include <new>

namespace lensfs {

Error current_exception_error() noexcept {
    // The texts below fit in std::string's inline buffer: building them cannot throw.
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return Error{ENOMEM, "out of memory"};
    } catch (const std::exception& e) {
        try {
            return Error{EIO, e.what()};
        } catch (...) {
            return Error{EIO, "exception"};
        }
    } catch (...) {
        return Error{EIO, "unknown error"};
    }
}

} // namespace lensfs
