#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "protocol/protocol.hpp"

using namespace lensfs;

namespace {

std::vector<std::string> data_lines(const std::string& name) {
    std::ifstream in(std::string(LENSFS_TEST_DATA) + "/protocol/" + name, std::ios::binary);
    REQUIRE(in);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line[0] != '#') {
            lines.push_back(line);
        }
    }
    REQUIRE_FALSE(lines.empty());
    return lines;
}

ProtocolError refused(std::string_view line) {
    auto request = decode_request(line);
    REQUIRE_FALSE(request);
    CHECK_FALSE(request.error().message.empty());
    return request.error();
}

ErrorCode refused_code(std::string_view line) {
    return refused(line).code;
}

} // namespace

TEST_CASE("every line of bad-requests.tsv gets its error code") {
    for (const std::string& row : data_lines("bad-requests.tsv")) {
        auto tab = row.find('\t');
        REQUIRE(tab != std::string::npos);
        std::string expected = row.substr(0, tab);
        std::string line = row.substr(tab + 1);
        INFO(line);
        auto request = decode_request(line);
        REQUIRE_FALSE(request);
        CHECK(error_code_name(request.error().code) == expected);
        CHECK_FALSE(request.error().message.empty());
        CHECK(request.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("every line of good-requests.jsonl decodes") {
    for (const std::string& line : data_lines("good-requests.jsonl")) {
        INFO(line);
        auto request = decode_request(line);
        CHECK(request.ok());
    }
}

TEST_CASE("deep nesting is refused before parsing") {
    CHECK(refused_code(std::string(100000, '[')) == ErrorCode::too_large);
    CHECK(refused_code(std::string(60000, '[') + std::string(60000, ']')) == ErrorCode::too_large);
    CHECK(refused_code(std::string(60000, '{')) == ErrorCode::too_large);

    // 32 levels in all is still fine: the top-level object and 31 below it.
    std::string deep = R"({"op":"ping","x":)";
    for (int i = 0; i < 30; ++i) {
        deep += "[";
    }
    deep += "{}" + std::string(30, ']') + "}";
    CHECK(decode_request(deep).ok());

    // Brackets inside strings are text, not nesting.
    std::string text(200, '[');
    CHECK(decode_request(R"({"op":"ping","x":")" + text + R"("})").ok());
    CHECK(decode_request(R"({"op":"ping","x":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})").ok());
}

TEST_CASE("lines over the limit are refused whole") {
    std::string padding(kMaxLineBytes, ' ');
    CHECK(refused_code(R"({"op":"ping"})" + padding) == ErrorCode::too_large);
    std::string fits = R"({"op":"ping"})";
    fits += std::string(kMaxLineBytes - fits.size() - 1, ' ') + "\n";
    REQUIRE(fits.size() == kMaxLineBytes);
    CHECK(decode_request(fits).ok());
    CHECK(refused_code(std::string(10 * kMaxLineBytes, 'x')) == ErrorCode::too_large);
}

TEST_CASE("NUL bytes are refused anywhere in the line") {
    using namespace std::string_literals;
    CHECK(refused_code("{\"op\":\"ping\"}\0"s) == ErrorCode::bad_json);
    CHECK(refused_code("{\"op\":\"pi\0ng\"}"s) == ErrorCode::bad_json);
    CHECK(refused_code("\0"s) == ErrorCode::bad_json);
    // An escaped NUL is valid JSON, but no id may contain it.
    CHECK(refused_code(R"({"op":"get","id":"a\u0000"})") == ErrorCode::invalid_value);
}

TEST_CASE("invalid UTF-8 is refused") {
    auto error = refused("{\"op\":\"get\",\"id\":\"\xff\xfe\"}");
    CHECK(error.code == ErrorCode::bad_json);
    CHECK(error.message.find("UTF-8") != std::string::npos);
    CHECK(refused_code("{\"op\":\"ping\",\"x\":\"\xc0\xaf\"}") == ErrorCode::bad_json);
    CHECK(refused_code("{\"op\":\"ping\",\"x\":\"\xed\xa0\x80\"}") == ErrorCode::bad_json);
    // Escaped lone surrogates are not valid text either.
    CHECK(refused_code(R"({"op":"ping","x":"\ud800"})") == ErrorCode::bad_json);
}

TEST_CASE("empty and blank lines are bad_json") {
    CHECK(refused_code("") == ErrorCode::bad_json);
    CHECK(refused_code("\n") == ErrorCode::bad_json);
    CHECK(refused_code(" \t\r\n") == ErrorCode::bad_json);
}

TEST_CASE("messages name the offending field") {
    CHECK(refused(R"({"op":"register","id":"a","pid":"1"})").message.find("'pid'") !=
          std::string::npos);
    CHECK(refused(R"({"op":"register","id":"a","pid":1,"start_time":{"boottime":"x"}})")
              .message.find("'start_time.boottime'") != std::string::npos);
    CHECK(refused(R"({"op":"register","id":"a","pid":1,"annotations":{"key":2}})")
              .message.find("'annotations.key'") != std::string::npos);
    CHECK(refused(R"({"op":"get"})").message == "missing field 'id'");
    CHECK(refused(R"({"op":"register","id":"a","pid":0})").message.find("'pid'") !=
          std::string::npos);
    CHECK(refused(R"({"op":"register","id":"a","cgroup":"x"})").message.find("cgroup") !=
          std::string::npos);
    CHECK(refused(R"([1])").message == "request must be a JSON object, not array");
}

TEST_CASE("errors carry the seq when it could be read") {
    CHECK(refused(R"({"op":"nope","seq":12})").seq == 12);
    CHECK(refused(R"({"op":"get","seq":13})").seq == 13);
    CHECK(refused(R"({"seq":14})").seq == 14);
    CHECK_FALSE(refused(R"({"op":"nope","seq":"12"})").seq);
    CHECK_FALSE(refused(R"({"op":"nope"})").seq);
    CHECK_FALSE(refused("garbage").seq);
}

TEST_CASE("a long unknown op is cut short in the message") {
    std::string op(5000, 'z');
    auto error = refused(R"({"op":")" + op + R"("})");
    CHECK(error.code == ErrorCode::unknown_op);
    CHECK(error.message.size() < 200);
}

TEST_CASE("huge and odd numbers never crash or wrap") {
    CHECK(refused_code(R"({"op":"register","id":"a","pid":4294967297})") ==
          ErrorCode::invalid_value); // would wrap to 1 as a 32-bit pid
    CHECK(refused_code(R"({"op":"register","id":"a","pid":-4294967295})") ==
          ErrorCode::invalid_value);
    CHECK(refused_code(R"({"op":"register","id":"a","pid":1e400})") == ErrorCode::bad_json);
    CHECK(refused_code(R"({"op":"register","id":"a","pid":1,"start_time":{"boottime":1e308,)"
                       R"("wall":-1e-300}})") == ErrorCode::invalid_value);
    CHECK(refused_code(R"({"op":"ping","seq":-9223372036854775809})") == ErrorCode::invalid_value);
    std::string digits(20000, '9');
    CHECK(refused_code(R"({"op":"register","id":"a","pid":)" + digits + "}") ==
          ErrorCode::bad_json); // parses to infinity, which JSON cannot hold
}
