// libFuzzer target for the seccomp agent's parsers: the container process state a runtime
// sends with its listener, and the /proc texts a sysinfo(2) answer is read from. The first
// input byte picks the parser; for the figures the rest is split at NUL bytes into the
// meminfo, uptime and loadavg texts, and what they give is packed as the kernel packs it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "seccomp/process_state.hpp"
#include "seccomp/sysinfo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] % 2 == 0) {
        (void)lensfs::seccomp::decode_process_state(text);
        return 0;
    }
    std::string_view parts[3];
    for (auto& part : parts) {
        std::size_t nul = text.find('\0');
        part = text.substr(0, nul);
        text = nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
    }
    if (auto facts = lensfs::seccomp::facts_from_proc(parts[0], parts[1], parts[2])) {
        (void)lensfs::seccomp::pack_sysinfo(*facts, 4096);
        (void)lensfs::seccomp::pack_sysinfo(*facts, 65536);
    }
    return 0;
}
