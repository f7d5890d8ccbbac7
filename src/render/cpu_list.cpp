#include "render/detail.hpp"
#include "render/render.hpp"

namespace lensfs::render {

void cpu_list(std::size_t visible_count, std::string& out) {
    // A system always has a CPU: an empty set (unreadable cpuset) still prints "0".
    out.push_back('0');
    if (visible_count > 1) {
        out.push_back('-');
        detail::append_u64(out, visible_count - 1);
    }
    out.push_back('\n');
}

} // namespace lensfs::render
