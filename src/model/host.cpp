#include "model/host.hpp"

namespace lensfs {

std::optional<std::uint64_t> HostMeminfo::get(std::string_view name) const {
    for (const auto& entry : entries) {
        if (entry.name == name) {
            return entry.value;
        }
    }
    return std::nullopt;
}

} // namespace lensfs
