#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ctl/oci_config.hpp"

using namespace lensfs::ctl;
using nlohmann::json;

namespace {

// The shape of what `runc spec` writes, trimmed.
constexpr const char* kSpec = R"({
  "ociVersion": "1.0.2-dev",
  "process": {"args": ["sh"]},
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "runc",
  "linux": {"namespaces": [{"type": "pid"}]}
})";

OciPlan plan() {
    OciPlan p;
    p.hook = "/usr/local/bin/lensfs-oci-hook";
    p.control_socket = "/run/lensfs/lensfs.sock";
    p.mount = "/var/lib/lensfs";
    p.seccomp_socket = "/run/lensfs/seccomp.sock";
    return p;
}

} // namespace

TEST_CASE("oci-config adds the three hooks and the sysinfo rule, keeping the rest") {
    auto edit = configure_oci(kSpec, plan());
    REQUIRE(edit);
    json doc = json::parse(edit->text);
    CHECK(doc["hostname"] == "runc");
    CHECK(doc["root"]["readonly"] == true);
    CHECK(doc["hooks"]["createRuntime"][0]["args"] == json({"lensfs-oci-hook", "createRuntime"}));
    CHECK(doc["hooks"]["createContainer"][0]["args"] ==
          json({"lensfs-oci-hook", "createContainer"}));
    CHECK(doc["hooks"]["poststop"][0]["path"] == "/usr/local/bin/lensfs-oci-hook");
    CHECK(doc["linux"]["namespaces"][0]["type"] == "pid");
    CHECK(doc["linux"]["seccomp"]["defaultAction"] == "SCMP_ACT_ALLOW");
    CHECK(doc["linux"]["seccomp"]["listenerPath"] == "/run/lensfs/seccomp.sock");
    CHECK(doc["linux"]["seccomp"]["syscalls"] ==
          json::parse(R"([{"names":["sysinfo"],"action":"SCMP_ACT_NOTIFY"}])"));
    CHECK(edit->changes.size() == 4);
    // Keys keep their order: ociVersion first, hooks appended.
    CHECK(edit->text.find("ociVersion") < edit->text.find("process"));
    // Twice: nothing to change.
    auto again = configure_oci(edit->text, plan());
    REQUIRE(again);
    CHECK(again->changes.empty());
    CHECK(again->text == edit->text);
}

TEST_CASE("oci-config gives the hooks a non-default socket and mount") {
    OciPlan p = plan();
    p.control_socket = "/tmp/x/lensfs.sock";
    p.mount = "/tmp/x/mnt";
    p.seccomp_socket.clear();
    auto edit = configure_oci(kSpec, p);
    REQUIRE(edit);
    json doc = json::parse(edit->text);
    CHECK(doc["hooks"]["createContainer"][0]["args"] ==
          json({"lensfs-oci-hook", "--socket", "/tmp/x/lensfs.sock", "--mount", "/tmp/x/mnt",
                "createContainer"}));
    CHECK(doc["hooks"]["poststop"][0]["args"] ==
          json({"lensfs-oci-hook", "--socket", "/tmp/x/lensfs.sock", "poststop"}));
    CHECK_FALSE(doc["linux"].contains("seccomp"));
}

TEST_CASE("oci-config replaces its own hook entries and keeps others") {
    const char* spec = R"({"hooks":{"createRuntime":[
        {"path":"/opt/other-hook","args":["other-hook"]},
        {"path":"/old/bin/lensfs-oci-hook","args":["lensfs-oci-hook","--strict","createRuntime"]}]}})";
    auto edit = configure_oci(spec, plan());
    REQUIRE(edit);
    json runtime = json::parse(edit->text)["hooks"]["createRuntime"];
    REQUIRE(runtime.size() == 2);
    CHECK(runtime[0]["path"] == "/opt/other-hook");
    CHECK(runtime[1]["path"] == "/usr/local/bin/lensfs-oci-hook");
    CHECK(edit->changes[0] == "hooks.createRuntime: lensfs-oci-hook replaced");
}

TEST_CASE("oci-config appends to an existing seccomp profile and takes sysinfo out of others") {
    const char* spec = R"({"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO",
        "architectures":["SCMP_ARCH_X86_64"],
        "syscalls":[{"names":["read","sysinfo","write"],"action":"SCMP_ACT_ALLOW"},
                    {"names":["sysinfo"],"action":"SCMP_ACT_LOG"}]}}})";
    auto edit = configure_oci(spec, plan());
    REQUIRE(edit);
    json sc = json::parse(edit->text)["linux"]["seccomp"];
    CHECK(sc["defaultAction"] == "SCMP_ACT_ERRNO");
    CHECK(sc["architectures"] == json({"SCMP_ARCH_X86_64"}));
    CHECK(sc["listenerPath"] == "/run/lensfs/seccomp.sock");
    REQUIRE(sc["syscalls"].size() == 2);
    CHECK(sc["syscalls"][0]["names"] == json({"read", "write"}));
    CHECK(sc["syscalls"][1] == json::parse(R"({"names":["sysinfo"],"action":"SCMP_ACT_NOTIFY"})"));
    auto again = configure_oci(edit->text, plan());
    REQUIRE(again);
    CHECK(again->changes.empty());
}

TEST_CASE("oci-config refuses configs that cannot take lensfs's pieces") {
    const char* bad[] = {
        "[]",
        "not json",
        R"({"hooks":[]})",
        R"({"hooks":{"poststop":{}}})",
        R"({"linux":{"seccomp":{"defaultAction":"SCMP_ACT_NOTIFY","listenerPath":"/x"}}})",
        R"({"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/other.sock"}}})",
        R"({"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
            {"names":["sysinfo"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}}})",
        R"({"linux":{"seccomp":"none"}})",
        R"({"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":{}}}})",
    };
    for (const char* text : bad) {
        INFO(text);
        auto edit = configure_oci(text, plan());
        REQUIRE_FALSE(edit);
        CHECK(edit.error().code == EINVAL);
        CHECK_FALSE(edit.error().context.empty());
    }
    std::string deep(10000, '[');
    CHECK_FALSE(configure_oci(deep, plan()));
}
