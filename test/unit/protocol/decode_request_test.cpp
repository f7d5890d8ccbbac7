#include <catch2/catch.hpp>

#include <cerrno>
#include <limits>

#include "protocol/protocol.hpp"

using namespace lensfs;

namespace {

Request decode_ok(std::string_view line) {
    auto request = decode_request(line);
    INFO(line);
    if (!request) {
        FAIL_CHECK(request.error().message);
    }
    REQUIRE(request);
    return *request;
}

template <typename T> const T& body_as(const Request& request) {
    const T* body = std::get_if<T>(&request.body);
    REQUIRE(body != nullptr);
    return *body;
}

} // namespace

TEST_CASE("ping, list and status carry no fields") {
    CHECK(std::holds_alternative<PingRequest>(decode_ok(R"({"op":"ping"})").body));
    CHECK(std::holds_alternative<ListRequest>(decode_ok(R"({"op":"list"})").body));
    CHECK(std::holds_alternative<StatusRequest>(decode_ok(R"({"op":"status"})").body));
    CHECK_FALSE(decode_ok(R"({"op":"ping"})").seq);
}

TEST_CASE("seq is read and echoed through the Request") {
    CHECK(decode_ok(R"({"op":"ping","seq":17})").seq == 17);
    CHECK(decode_ok(R"({"seq":-3,"op":"ping"})").seq == -3);
    CHECK(decode_ok(R"({"op":"ping","seq":null})").seq == std::nullopt);
    CHECK(decode_ok(R"({"op":"ping","seq":9223372036854775807})").seq ==
          std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("register with every field") {
    Request request =
        decode_ok(R"({"op":"register","seq":5,"id":"web-1","cgroup":"/system.slice/web-1.scope",)"
                  R"("pid":4242,"start_time":{"boottime":81234.25,"wall":1718000000.5},)"
                  R"("annotations":{"io.example/owner":"team-a","empty":""}})"
                  "\n");
    CHECK(request.seq == 5);
    const auto& r = body_as<RegisterRequest>(request);
    CHECK(r.id == "web-1");
    CHECK(r.cgroup == "/system.slice/web-1.scope");
    CHECK(r.pid == 4242);
    REQUIRE(r.start_time);
    CHECK(r.start_time->boottime_s == 81234.25);
    CHECK(r.start_time->wall_s == 1718000000.5);
    CHECK(r.annotations.size() == 2);
    CHECK(r.annotations.at("io.example/owner") == "team-a");
}

TEST_CASE("register needs only an id and a cgroup or a pid") {
    const auto& by_cgroup = decode_ok(R"({"op":"register","id":"a","cgroup":"/"})");
    CHECK(body_as<RegisterRequest>(by_cgroup).cgroup == "/");
    CHECK_FALSE(body_as<RegisterRequest>(by_cgroup).pid);
    CHECK_FALSE(body_as<RegisterRequest>(by_cgroup).start_time);

    const auto& by_pid = decode_ok(R"({"op":"register","id":"a","pid":1,"cgroup":null})");
    CHECK(body_as<RegisterRequest>(by_pid).pid == 1);
    CHECK_FALSE(body_as<RegisterRequest>(by_pid).cgroup);

    const auto& wall_only =
        decode_ok(R"({"op":"register","id":"a","pid":1,"start_time":{"wall":5}})");
    CHECK_FALSE(body_as<RegisterRequest>(wall_only).start_time->boottime_s);
    CHECK(body_as<RegisterRequest>(wall_only).start_time->wall_s == 5.0);
}

TEST_CASE("unregister and get carry an id") {
    CHECK(body_as<UnregisterRequest>(decode_ok(R"({"op":"unregister","id":"x.y_z-1"})")).id ==
          "x.y_z-1");
    CHECK(body_as<GetRequest>(decode_ok(R"({"op":"get","id":"abc"})")).id == "abc");
}

TEST_CASE("unknown fields are ignored") {
    auto request = decode_ok(R"({"op":"get","id":"a","extra":[1,{"b":null}],"pid":"x"})");
    CHECK(body_as<GetRequest>(request).id == "a");
}

TEST_CASE("op_name spells every operation") {
    CHECK(op_name(PingRequest{}) == "ping");
    CHECK(op_name(RegisterRequest{}) == "register");
    CHECK(op_name(UnregisterRequest{}) == "unregister");
    CHECK(op_name(GetRequest{}) == "get");
    CHECK(op_name(ListRequest{}) == "list");
    CHECK(op_name(StatusRequest{}) == "status");
}

TEST_CASE("error codes map to and from their names and errno values") {
    for (auto code : {ErrorCode::bad_json, ErrorCode::not_object, ErrorCode::unknown_op,
                      ErrorCode::missing_field, ErrorCode::wrong_type, ErrorCode::invalid_value,
                      ErrorCode::too_large, ErrorCode::not_found, ErrorCode::permission_denied,
                      ErrorCode::busy, ErrorCode::timeout, ErrorCode::internal}) {
        CHECK(parse_error_code(error_code_name(code)) == code);
    }
    CHECK(error_code_name(ErrorCode::missing_field) == "missing_field");
    CHECK_FALSE(parse_error_code("nope"));
    CHECK(error_code_for_errno(ENOENT) == ErrorCode::not_found);
    CHECK(error_code_for_errno(EINVAL) == ErrorCode::invalid_value);
    CHECK(error_code_for_errno(E2BIG) == ErrorCode::too_large);
    CHECK(error_code_for_errno(EACCES) == ErrorCode::permission_denied);
    CHECK(error_code_for_errno(ENOSPC) == ErrorCode::busy);
    CHECK(error_code_for_errno(EIO) == ErrorCode::internal);

    auto mapped = to_protocol_error(Error{ENOENT, "no container with id 'a'"}, 4);
    CHECK(mapped == ProtocolError{ErrorCode::not_found, "no container with id 'a'", 4});
}
