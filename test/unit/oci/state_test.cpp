#include <catch2/catch.hpp>

#include <string>

#include "oci-hook/state.hpp"

using namespace lensfs;
using namespace lensfs::oci;

namespace {

// What runc 1.1 writes to a createRuntime hook (pid and bundle at the top level).
constexpr const char* kRuncState = R"({"ociVersion":"1.0.2-dev","id":"web-1","status":"created",)"
                                   R"("pid":4242,"bundle":"/run/bundles/web-1",)"
                                   R"("annotations":{"org.example.team":"storage"}})";

// What crun writes: the same fields plus "root", the absolute root filesystem.
constexpr const char* kCrunState = R"({"ociVersion":"1.0.0","id":"db","pid":77,)"
                                   R"("root":"/var/lib/c/db/rootfs","bundle":"/var/lib/c/db",)"
                                   R"("status":"creating","annotations":{}})";

std::string error_of(std::string_view text) {
    auto s = parse_state(text);
    REQUIRE_FALSE(s.ok());
    return s.error().context;
}

} // namespace

TEST_CASE("a runc state gives id, pid, bundle and annotations", "[oci][state]") {
    auto s = parse_state(kRuncState);
    REQUIRE(s.ok());
    CHECK(s->oci_version == "1.0.2-dev");
    CHECK(s->id == "web-1");
    CHECK(s->status == "created");
    REQUIRE(s->pid.has_value());
    CHECK(*s->pid == 4242);
    CHECK(s->bundle == "/run/bundles/web-1");
    CHECK(s->rootfs.empty());
    CHECK(s->annotations == std::map<std::string, std::string>{{"org.example.team", "storage"}});
}

TEST_CASE("a crun state also gives its root filesystem", "[oci][state]") {
    auto s = parse_state(kCrunState);
    REQUIRE(s.ok());
    CHECK(s->id == "db");
    CHECK(s->pid == 77);
    CHECK(s->bundle == "/var/lib/c/db");
    CHECK(s->rootfs == "/var/lib/c/db/rootfs");
    CHECK(s->annotations.empty());
}

TEST_CASE("optional fields may be absent or null", "[oci][state]") {
    // runc omits pid once the container stopped (poststop); crun sends 0.
    for (const char* text : {R"({"id":"a"})", R"({"id":"a","pid":null,"bundle":null})",
                             R"({"id":"a","pid":0,"annotations":null})"}) {
        auto s = parse_state(text);
        REQUIRE(s.ok());
        CHECK(s->id == "a");
        CHECK_FALSE(s->pid.has_value());
        CHECK(s->bundle.empty());
        CHECK(s->annotations.empty());
    }
}

TEST_CASE("unknown fields are ignored", "[oci][state]") {
    auto s = parse_state(R"({"id":"a","created":"2024-01-01T00:00:00Z","owner":"",)"
                         R"("future":{"nested":[1,2,3]}})");
    REQUIRE(s.ok());
    CHECK(s->id == "a");
}

TEST_CASE("a state without a usable id is refused", "[oci][state]") {
    CHECK(error_of(R"({"pid":1})") == "the container state has no 'id'");
    CHECK(error_of(R"({"id":""})") == "the container state has an empty 'id'");
    CHECK(error_of(R"({"id":null})") == "the container state has an empty 'id'");
    CHECK(error_of(R"({"id":12})") == "state field 'id' is not a string");
}

TEST_CASE("an id the registry would refuse is refused whole, never cut", "[oci][state]") {
    // A NUL inside the id once cut "victim\0evil" to "victim" on its way to the daemon.
    CHECK(error_of(R"({"id":"victim\u0000evil","pid":1})")
              .starts_with("the container state's 'id' is not valid: container id "));
    CHECK(error_of(R"({"id":"../etc","pid":1})")
              .starts_with("the container state's 'id' is not valid: "));
    CHECK(error_of(R"({"id":"a b","pid":1})")
              .starts_with("the container state's 'id' is not valid: "));
    CHECK(error_of(R"({"id":"a\nb","pid":1})")
              .starts_with("the container state's 'id' is not valid: "));
    CHECK(parse_state(R"({"id":"web-1.a_b","pid":1})").ok());
}

TEST_CASE("a number out of range is bad input, not an exception", "[oci][state]") {
    CHECK(error_of(R"({"id":"a","pid":1e999})")
              .starts_with("the container state is not valid JSON: "));
    CHECK(error_of("1e999").starts_with("the container state is not valid JSON: "));
    CHECK(error_of(R"({"id":"a","pid":1E7731E31})")
              .starts_with("the container state is not valid JSON: "));
    CHECK(parse_root_path(R"({"root":{"path":"rootfs"},"x":1e400})")
              .error()
              .context.starts_with("config.json is not valid JSON: "));
}

TEST_CASE("fields of the wrong type are refused by name", "[oci][state]") {
    CHECK(error_of(R"({"id":"a","pid":"12"})") == "state field 'pid' is not an integer");
    CHECK(error_of(R"({"id":"a","pid":1.5})") == "state field 'pid' is not an integer");
    CHECK(error_of(R"({"id":"a","pid":-3})") == "state field 'pid' is out of range: -3");
    CHECK(error_of(R"({"id":"a","pid":99999999999})") ==
          "state field 'pid' is out of range: 99999999999");
    CHECK(error_of(R"({"id":"a","bundle":["/x"]})") == "state field 'bundle' is not a string");
    CHECK(error_of(R"({"id":"a","status":true})") == "state field 'status' is not a string");
    CHECK(error_of(R"({"id":"a","annotations":[]})") ==
          "state field 'annotations' is not an object");
    CHECK(error_of(R"({"id":"a","annotations":{"k":1}})") == "annotation 'k' is not a string");
}

TEST_CASE("garbage is refused with a clear message", "[oci][state]") {
    CHECK(error_of("").starts_with("the container state is not valid JSON: "));
    CHECK(error_of("garbage").starts_with("the container state is not valid JSON: "));
    CHECK(error_of(R"({"id":"a")").starts_with("the container state is not valid JSON: "));
    CHECK(
        error_of(R"({"id":"a"} trailing)").starts_with("the container state is not valid JSON: "));
    CHECK(error_of("{\"id\":\"\xff\xfe\"}").starts_with("the container state is not valid JSON"));
    CHECK(error_of("[1,2]") == "the container state is not a JSON object");
    CHECK(error_of("\"id\"") == "the container state is not a JSON object");
    CHECK(error_of("null") == "the container state is not a JSON object");
}

TEST_CASE("huge or deeply nested input is refused before parsing", "[oci][state]") {
    std::string big =
        R"({"id":"a","annotations":{"k":")" + std::string(kMaxInputBytes, 'x') + R"("}})";
    auto s = parse_state(big);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == E2BIG);

    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto d = parse_state(deep);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().code == E2BIG);
    CHECK(d.error().context == "the container state nests deeper than 64 levels");

    // Brackets inside strings (escaped quotes included) are text, not nesting.
    std::string quoted = R"({"id":"a","annotations":{"k":"\")" + std::string(1000, '[') + "\"}}";
    CHECK(parse_state(quoted).ok());
}

TEST_CASE("a large but acceptable state is parsed", "[oci][state]") {
    std::string text = R"({"id":"big","pid":9,"annotations":{)";
    for (int i = 0; i < 2000; ++i) {
        text += (i ? "," : "") +
                ("\"key." + std::to_string(i) + "\":\"" + std::string(200, 'v') + "\"");
    }
    text += "}}";
    REQUIRE(text.size() < kMaxInputBytes);
    auto s = parse_state(text);
    REQUIRE(s.ok());
    CHECK(s->annotations.size() == 2000);
}

TEST_CASE("config.json gives root.path", "[oci][config]") {
    auto r = parse_root_path(R"({"ociVersion":"1.0.2","root":{"path":"rootfs","readonly":true}})");
    REQUIRE(r.ok());
    CHECK(*r == "rootfs");
    CHECK(parse_root_path(R"({"root":{}})").error().context ==
          "config.json has no 'root.path' string");
    CHECK(parse_root_path(R"({"root":{"path":""}})").error().context ==
          "config.json has no 'root.path' string");
    CHECK(parse_root_path(R"({"root":"rootfs"})").error().context ==
          "config.json has no 'root' object");
    CHECK(parse_root_path(R"({})").error().context == "config.json has no 'root' object");
    CHECK(parse_root_path("{").error().context.starts_with("config.json is not valid JSON"));
}

TEST_CASE("the root filesystem is root.path, relative to the bundle", "[oci][config]") {
    CHECK(resolve_rootfs("/run/b", "rootfs") == "/run/b/rootfs");
    CHECK(resolve_rootfs("/run/b/", "rootfs/") == "/run/b/rootfs");
    CHECK(resolve_rootfs("/run/b", "./x/../rootfs") == "/run/b/rootfs");
    CHECK(resolve_rootfs("/run/b", "/srv/images/alpine") == "/srv/images/alpine");
    CHECK(resolve_rootfs("/run/b", "//srv//img") == "/srv/img");
}
