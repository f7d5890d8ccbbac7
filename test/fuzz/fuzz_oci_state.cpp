// libFuzzer target for the OCI hook's input parsers: the runtime state read on stdin and the
// bundle's config.json. The first input byte picks the parser; the rest is the JSON text.
// Errors come back as Result values and are ignored.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci-hook/state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] % 2 == 0) {
        auto state = lensfs::oci::parse_state(text);
        if (state && !state->bundle.empty()) {
            (void)lensfs::oci::resolve_rootfs(state->bundle, state->rootfs);
        }
    } else {
        auto root = lensfs::oci::parse_root_path(text);
        if (root) {
            (void)lensfs::oci::resolve_rootfs("/run/bundle", *root);
        }
    }
    return 0;
}
