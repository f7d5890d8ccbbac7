#include "view/render_cache.hpp"

#include <functional>
#include <string_view>

namespace lensfs::view {

std::size_t render_hash(std::size_t file, const Container& c) {
    std::hash<std::string_view> h;
    std::size_t x = (file + 1) * 0x9e3779b97f4a7c15ULL;
    auto mix = [&](std::string_view s) { x = (x ^ h(s)) * 0x100000001b3ULL; };
    if (c.cgroups.unified) {
        mix(*c.cgroups.unified);
    }
    for (const auto& path : c.cgroups.v1) {
        if (path) {
            mix(*path);
        }
    }
    mix(c.id);
    return x;
}

} // namespace lensfs::view
