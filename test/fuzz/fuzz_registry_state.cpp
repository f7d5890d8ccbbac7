// libFuzzer target for the registry's state-file decoder (registry.json). The whole input is
// the file's text. Bad files and bad entries are reported in the result, which is ignored.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "registry/state_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)lensfs::decode_state(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
