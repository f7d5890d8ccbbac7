#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "protocol/protocol.hpp"

using namespace lensfs;

namespace {

Entry sample_entry() {
    Entry e;
    e.id = "web-1";
    e.cgroup = "/system.slice/web-1.scope";
    e.init_pid = 4242;
    e.start_boottime_s = 81234.250113;
    e.start_wall_s = 1718000000.123456789;
    e.annotations = {{"owner", "team \"a\"\nline two"}, {"emoji", "\xf0\x9f\x98\x80"}};
    return e;
}

void check_one_line(const std::string& line) {
    REQUIRE_FALSE(line.empty());
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(line.find('\r') == std::string::npos);
}

Response decode_line(const std::string& line) {
    check_one_line(line);
    auto response = decode_response(line);
    if (!response) {
        FAIL_CHECK(response.error().message);
    }
    REQUIRE(response);
    return *response;
}

} // namespace

TEST_CASE("every request kind survives encode then decode") {
    RegisterRequest full{"web-1", "/a/b", 17, StartTime{12.5, 1718000000.25}, {{"k", "v"}}};
    RegisterRequest minimal{"x", std::nullopt, 1, std::nullopt, {}};
    RegisterRequest wall_only{"y", "/", std::nullopt, StartTime{std::nullopt, 3.0}, {}};
    const std::vector<Request> requests{
        {1, PingRequest{}},
        {std::nullopt, full},
        {-5, minimal},
        {std::nullopt, wall_only},
        {2, UnregisterRequest{"web-1"}},
        {3, GetRequest{"web-1"}},
        {std::nullopt, ListRequest{}},
        {std::numeric_limits<std::int64_t>::min(), StatusRequest{}},
    };
    for (const Request& request : requests) {
        std::string line = encode_request(request);
        INFO(line);
        check_one_line(line);
        auto back = decode_request(line);
        REQUIRE(back);
        CHECK(*back == request);
    }
    CHECK(encode_request({1, PingRequest{}}) == "{\"op\":\"ping\",\"seq\":1}\n");
}

TEST_CASE("ok and error responses round-trip") {
    Response ok = decode_line(encode_ok(9));
    CHECK(ok.ok());
    CHECK(ok.seq == 9);
    CHECK_FALSE(ok.container);
    CHECK(encode_ok(std::nullopt) == "{\"ok\":true}\n");

    ProtocolError error{ErrorCode::not_found, "no container with id 'a'", 4};
    std::string line = encode_error(error);
    CHECK(line == R"({"ok":false,"seq":4,"error":{"code":"not_found",)"
                  R"("message":"no container with id 'a'"}})"
                  "\n");
    Response back = decode_line(line);
    CHECK_FALSE(back.ok());
    CHECK(back.seq == 4);
    CHECK(back.error == error);
}

TEST_CASE("container responses round-trip bit-exactly") {
    Entry e = sample_entry();
    Response one = decode_line(encode_container(1, e));
    REQUIRE(one.container);
    CHECK(*one.container == e);

    Entry no_pid = e;
    no_pid.init_pid.reset();
    no_pid.annotations.clear();
    Response list = decode_line(encode_containers(std::nullopt, {e, no_pid}));
    REQUIRE(list.containers);
    REQUIRE(list.containers->size() == 2);
    CHECK((*list.containers)[0] == e);
    CHECK((*list.containers)[1] == no_pid);

    Response empty = decode_line(encode_containers(2, {}));
    REQUIRE(empty.containers);
    CHECK(empty.containers->empty());
}

TEST_CASE("status responses round-trip") {
    DaemonStatus status{"0.1.0",
                        321,
                        100.5,
                        1718000000.5,
                        3,
                        320,
                        7,
                        12,
                        "/var/lib/lensfs",
                        "/run/lensfs/seccomp.sock",
                        {{"proc/meminfo", 10}, {"proc/uptime", 18446744073709551615ull}},
                        {{"control", 2}}};
    Response back = decode_line(encode_status(6, status));
    REQUIRE(back.status);
    CHECK(*back.status == status);
    status.seccomp_socket.clear(); // no agent
    back = decode_line(encode_status(7, status));
    REQUIRE(back.status);
    CHECK(*back.status == status);
}

TEST_CASE("encoders keep one line even for hostile strings") {
    ProtocolError error{ErrorCode::internal, "line one\nline two\r\x01 \xff\xfe", std::nullopt};
    std::string line = encode_error(error);
    Response back = decode_line(line);
    REQUIRE(back.error);
    CHECK(back.error->message.find("line one\nline two") == 0);
    CHECK(back.error->message.find("\xef\xbf\xbd") != std::string::npos); // U+FFFD

    Entry e = sample_entry();
    e.annotations["bad"] = "\xc3";
    check_one_line(encode_container(std::nullopt, e));
}

TEST_CASE("decode_response refuses malformed responses") {
    auto code_of = [](std::string_view line) {
        auto response = decode_response(line);
        REQUIRE_FALSE(response);
        return response.error().code;
    };
    CHECK(code_of("nope") == ErrorCode::bad_json);
    CHECK(code_of("[]") == ErrorCode::not_object);
    CHECK(code_of("{}") == ErrorCode::missing_field);
    CHECK(code_of(R"({"ok":"yes"})") == ErrorCode::wrong_type);
    CHECK(code_of(R"({"ok":false})") == ErrorCode::missing_field);
    CHECK(code_of(R"({"ok":false,"error":{"code":"not_found"}})") == ErrorCode::missing_field);
    CHECK(code_of(R"({"ok":true,"container":{"id":"a"}})") == ErrorCode::missing_field);
    CHECK(code_of(R"({"ok":true,"containers":[5]})") == ErrorCode::wrong_type);
    CHECK(code_of(R"({"ok":true,"status":{"version":"1","pid":1,"containers":-1,)"
                  R"("start_time":{"boottime":1,"wall":1}}})") == ErrorCode::invalid_value);
    CHECK(code_of(std::string(100000, '{')) == ErrorCode::too_large);
}

TEST_CASE("decode_response keeps unknown error codes as failures") {
    auto response =
        decode_response(R"({"ok":false,"error":{"code":"quota_exceeded","message":"slow down"}})");
    REQUIRE(response);
    REQUIRE(response->error);
    CHECK(response->error->code == ErrorCode::internal);
    CHECK(response->error->message == "slow down ('quota_exceeded')");
}

TEST_CASE("decode_response ignores fields it does not know") {
    auto response = decode_response(R"({"ok":true,"new_field":{"x":[1]},"seq":3})");
    REQUIRE(response);
    CHECK(response->ok());
    CHECK(response->seq == 3);
}
