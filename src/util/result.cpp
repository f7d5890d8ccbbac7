#include "util/result.hpp"

#include <cstring>

namespace lensfs {

std::string Error::message() const {
    if (context.empty()) {
        return std::strerror(code);
    }
    return context + ": " + std::strerror(code);
}

Error make_error(int code, std::string context) {
    return Error{code == 0 ? EIO : code, std::move(context)};
}

} // namespace lensfs
