// libFuzzer target for the control protocol's decoders. The first input byte picks request or
// response decoding; the rest is the line. Decoders never throw and report every bad line as a
// ProtocolError, so results are only fed back through the encoders (which must accept
// anything a decoder produced) and otherwise ignored.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] % 2 == 0) {
        auto request = lensfs::decode_request(line);
        if (request) {
            (void)lensfs::encode_request(*request);
        } else {
            (void)lensfs::encode_error(request.error());
        }
    } else {
        auto response = lensfs::decode_response(line);
        if (!response) {
            (void)lensfs::encode_error(response.error());
        }
    }
    return 0;
}
