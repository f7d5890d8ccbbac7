#include <algorithm>
#include <catch2/catch.hpp>

#include <string>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <vector>

#include "oci-hook/mounts.hpp"
#include "oci-hook/options.hpp"
#include "view/served_files.hpp"

using namespace lensfs;
using namespace lensfs::oci;

namespace {

Result<Options> parse(std::vector<std::string> args) {
    args.insert(args.begin(), "lensfs-oci-hook");
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    return parse_options(static_cast<int>(args.size()), argv.data());
}

} // namespace

TEST_CASE("each OCI stage name is recognised", "[oci][options]") {
    CHECK(stage_from_name("createRuntime") == Stage::create_runtime);
    CHECK(stage_from_name("prestart") == Stage::prestart);
    CHECK(stage_from_name("createContainer") == Stage::create_container);
    CHECK(stage_from_name("poststop") == Stage::poststop);
    CHECK_FALSE(stage_from_name("poststart").has_value());
    CHECK_FALSE(stage_from_name("createruntime").has_value());
}

TEST_CASE("options and the stage parse in any order", "[oci][options]") {
    auto o = parse({"--socket", "/tmp/s.sock", "createContainer", "--mount", "/mnt/l", "--strict"});
    REQUIRE(o.ok());
    CHECK(o->stage == Stage::create_container);
    CHECK(o->stage_name == "createContainer");
    CHECK(o->socket == "/tmp/s.sock");
    CHECK(o->mount_dir == "/mnt/l");
    CHECK(o->strict);

    auto d = parse({"poststop"});
    REQUIRE(d.ok());
    CHECK(d->socket.empty());
    CHECK(d->mount_dir == "/var/lib/lensfs");
    CHECK_FALSE(d->strict);
    CHECK(d->timeout_ms == 0);
}

TEST_CASE("command-line mistakes are explained", "[oci][options]") {
    CHECK(parse({}).error().context.starts_with("missing STAGE"));
    CHECK(parse({"start"}).error().context.starts_with("unknown stage 'start'"));
    CHECK(parse({"poststop", "extra"}).error().context == "unexpected argument: extra");
    CHECK(parse({"--socket"}).error().context.starts_with("unknown option or missing argument"));
    CHECK(parse({"--bogus", "poststop"}).error().context.starts_with("unknown option"));
    CHECK(parse({"--timeout", "0", "poststop"}).error().context.starts_with("--timeout"));
    CHECK(parse({"--timeout", "250", "poststop"})->timeout_ms == 250);
    CHECK(parse({"--help"})->help);
}

TEST_CASE("a read-only remount repeats the flags the kernel may have locked", "[oci][mounts]") {
    CHECK(remount_flags(0) == 0);
    CHECK(remount_flags(ST_RDONLY) == 0);
    CHECK(remount_flags(ST_NOSUID | ST_NODEV) == (MS_NOSUID | MS_NODEV));
    CHECK(remount_flags(ST_NOEXEC | ST_RELATIME) == (MS_NOEXEC | MS_RELATIME));
    CHECK(remount_flags(ST_NOATIME | ST_NODIRATIME) == (MS_NOATIME | MS_NODIRATIME));
}

TEST_CASE("the mounted files are the served files marked for binding", "[oci][mounts]") {
    auto files = bound_files();
    std::size_t marked = 0;
    for (const auto& file : lensfs::view::served_files()) {
        marked += file.bind_mount ? 1 : 0;
    }
    CHECK(files.size() == marked);
    for (const char* path :
         {"proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime", "proc/swaps", "proc/loadavg",
          "proc/diskstats", "sys/devices/system/cpu/online"}) {
        INFO(path);
        CHECK(std::find(files.begin(), files.end(), path) != files.end());
    }
}
