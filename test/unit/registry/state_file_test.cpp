#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "registry/registry.hpp"
#include "registry/state_file.hpp"
#include "temp_dir.hpp"
#include "util/file.hpp"

using namespace lensfs;

namespace {

std::string fixture(const std::string& name) {
    auto text = read_file(std::string(LENSFS_TEST_DATA) + "/registry/" + name);
    REQUIRE(text);
    return *text;
}

// Puts fixture @p name in place as the registry's state file.
void install_state(const TempDir& dir, const std::string& name) {
    REQUIRE(write_file_atomic(dir.file("registry.json"), fixture(name)));
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

} // namespace

TEST_CASE("decode_state reads a valid file and ignores unknown fields") {
    auto state = decode_state(fixture("valid.json"));
    REQUIRE(state);
    CHECK(state->dropped.empty());
    REQUIRE(state->entries.size() == 2);
    const Entry& web = state->entries[0];
    CHECK(web.id == "web-1");
    CHECK(web.cgroup == "/lensfs-test-a");
    CHECK(web.init_pid == 4242);
    CHECK(web.start_boottime_s == 81234.250113);
    CHECK(web.start_wall_s == 1718000000.5);
    CHECK(web.annotations.at("io.example/owner") == "team-a");
    CHECK_FALSE(state->entries[1].init_pid);
    CHECK(state->entries[1].annotations.empty());
}

TEST_CASE("encode_state and decode_state round-trip") {
    EntryMap entries;
    Entry e{"x",
            "/x",
            12,
            0.1 + 0.2,
            1718000000.987654321,
            {{"k", "v\n\"q\""}},
            7,
            CpuBaseline{81234.25, 1, 18446744073709551615ULL, {3, 4, 5, 6}}};
    entries.emplace(e.id, e);
    std::string text = encode_state(entries, 9);
    CHECK(text.back() == '\n');
    CHECK(text.find('\n') == text.size() - 1);
    auto back = decode_state(text);
    REQUIRE(back);
    REQUIRE(back->entries.size() == 1);
    CHECK(back->entries[0] == e);
    CHECK(back->next_slot == 9);
}

TEST_CASE("slots: kept, renumbered when missing, bad or duplicated, never reused") {
    auto state =
        decode_state(R"({"version":1,"next_slot":3,"containers":[)"
                     R"({"id":"a","cgroup":"/a","start_boottime":1,"start_wall":1,"slot":5},)"
                     R"({"id":"b","cgroup":"/b","start_boottime":1,"start_wall":1,"slot":5},)"
                     R"({"id":"c","cgroup":"/c","start_boottime":1,"start_wall":1,"slot":-2},)"
                     R"({"id":"d","cgroup":"/d","start_boottime":1,"start_wall":1}]})");
    REQUIRE(state);
    REQUIRE(state->entries.size() == 4);
    CHECK(state->entries[0].slot == 5);
    CHECK(state->entries[1].slot == 0);
    CHECK(state->entries[2].slot == 0);
    CHECK(state->entries[3].slot == 0);
    CHECK(state->next_slot == 6);

    TempDir dir;
    REQUIRE(write_file_atomic(dir.file("registry.json"), encode_state({}, 1)));
    Registry reg(dir.path());
    REQUIRE(reg.load());
    Entry x{"x", "/x", std::nullopt, 1, 1, {}};
    REQUIRE(reg.upsert(x));
    Entry y{"y", "/y", std::nullopt, 1, 1, {}};
    REQUIRE(reg.upsert(y));
    auto sx = reg.get("x")->slot;
    auto sy = reg.get("y")->slot;
    CHECK(sx != 0);
    CHECK(sy != 0);
    CHECK(sx != sy);
    CHECK(reg.by_slot(sx)->id == "x");
    // Registering again keeps the slot; a removed id's slot is not given to anyone else.
    x.start_boottime_s = 2;
    REQUIRE(reg.upsert(x));
    CHECK(reg.get("x")->slot == sx);
    REQUIRE(reg.remove("x"));
    CHECK_FALSE(reg.by_slot(sx));
    REQUIRE(reg.upsert(Entry{"z", "/z", std::nullopt, 1, 1, {}}));
    CHECK(reg.get("z")->slot != sx);
    CHECK(reg.get("z")->slot != sy);
    // ... also after a restart: the next slot is on disk.
    Registry again(dir.path());
    REQUIRE(again.load());
    CHECK(again.get("y")->slot == sy);
    REQUIRE(again.upsert(Entry{"x", "/x", std::nullopt, 1, 1, {}}));
    auto fresh = again.get("x")->slot;
    CHECK(fresh != sx);
    CHECK(fresh != sy);
    CHECK(fresh != again.get("z")->slot);
}

TEST_CASE("decode_state refuses files it cannot trust at all") {
    for (const char* name :
         {"empty.json", "truncated.json", "wrong-types.json", "wrong-version.json"}) {
        INFO(name);
        auto state = decode_state(fixture(name));
        REQUIRE_FALSE(state);
        CHECK(state.error().code == EBADMSG);
    }
    CHECK_FALSE(decode_state("[]"));
    CHECK_FALSE(decode_state("{\"version\":1}"));
    CHECK(decode_state("{\"version\":1,\"containers\":[]}"));
    // Deep nesting is refused before parsing: 4 MiB of '[' once cost 587 MB.
    std::string deep = "{\"version\":1,\"containers\":" + std::string(4u << 20, '[');
    auto state = decode_state(deep);
    REQUIRE_FALSE(state);
    CHECK(state.error().message().find("deeper than") != std::string::npos);
    CHECK(decode_state(R"({"version":1,"containers":[{"x":{"y":[["]]]]]]]]]]"]]}}]})"));
}

TEST_CASE("decode_state drops single bad entries and says why") {
    auto state = decode_state(fixture("entry-wrong-types.json"));
    REQUIRE(state);
    REQUIRE(state->entries.size() == 1);
    CHECK(state->entries[0].id == "ok");
    REQUIRE(state->dropped.size() == 6);
    CHECK(state->dropped[0].find("entry 0") != std::string::npos);
    CHECK(state->dropped[0].find("'id'") != std::string::npos);
    CHECK(state->dropped[1].find("start_boottime") != std::string::npos);
    CHECK(state->dropped[2].find("pid") != std::string::npos);
    CHECK(state->dropped[3].find("absolute") != std::string::npos);
    CHECK(state->dropped[4].find("annotation") != std::string::npos);
    CHECK(state->dropped[5].find("not an object") != std::string::npos);
}

TEST_CASE("load of a missing file gives an empty registry") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.load());
    CHECK(r.size() == 0);
}

TEST_CASE("load sets a corrupt file aside and starts empty") {
    for (const char* name :
         {"empty.json", "truncated.json", "wrong-types.json", "wrong-version.json"}) {
        INFO(name);
        TempDir dir;
        install_state(dir, name);
        Registry r(dir.path());
        auto st = r.load();
        REQUIRE_FALSE(st);
        CHECK(st.error().code == EBADMSG);
        CHECK(st.error().context.find("corrupt") != std::string::npos);
        CHECK(st.error().context.find("registry.json.corrupt-") != std::string::npos);
        CHECK(r.size() == 0);
        CHECK_FALSE(exists(dir.file("registry.json")));
        auto aside = dir.names_starting("registry.json.corrupt-");
        REQUIRE(aside.size() == 1);
        CHECK(*read_file(dir.file(aside[0])) == fixture(name));

        // The daemon carries on: the next change writes a fresh, valid state.
        REQUIRE(r.upsert(Entry{"a", "/a", std::nullopt, 1, 2, {}}));
        Registry again(dir.path());
        CHECK(again.load());
        CHECK(again.size() == 1);
    }
}

TEST_CASE("a second corrupt file in the same second does not overwrite the first") {
    TempDir dir;
    Registry r(dir.path());
    install_state(dir, "empty.json");
    CHECK_FALSE(r.load());
    install_state(dir, "truncated.json");
    CHECK_FALSE(r.load());
    CHECK(dir.names_starting("registry.json.corrupt-").size() == 2);
}

TEST_CASE("load keeps the valid entries of a partly bad file") {
    TempDir dir;
    install_state(dir, "one-bad-entry.json");
    Registry r(dir.path());
    auto st = r.load();
    REQUIRE_FALSE(st);
    const std::string& message = st.error().context;
    CHECK(message.find("entry 1 (id 'bad id with spaces')") != std::string::npos);
    CHECK(message.find("entry 3 (id 'good-1'): duplicate id") != std::string::npos);
    CHECK(message.find("loaded the other 2 containers") != std::string::npos);
    CHECK(r.size() == 2);
    CHECK(r.get("good-1")->cgroup == "/lensfs-test-a");
    CHECK(r.get("good-2"));

    // The original is kept for inspection and the cleaned table is what is on disk now.
    auto aside = dir.names_starting("registry.json.corrupt-");
    REQUIRE(aside.size() == 1);
    CHECK(*read_file(dir.file(aside[0])) == fixture("one-bad-entry.json"));
    Registry again(dir.path());
    REQUIRE(again.load());
    CHECK(again.size() == 2);
}

TEST_CASE("load of an unreadable state path reports it and starts empty") {
    TempDir dir;
    REQUIRE(::mkdir(dir.file("registry.json").c_str(), 0700) == 0);
    Registry r(dir.path());
    auto st = r.load();
    REQUIRE_FALSE(st);
    CHECK(st.error().code == EINVAL); // not a regular file
    CHECK(r.size() == 0);
}

TEST_CASE("a FIFO as the state file is refused at once, not waited on") {
    TempDir dir;
    REQUIRE(::mkfifo(dir.file("registry.json").c_str(), 0600) == 0);
    Registry r(dir.path());
    auto st = r.load(); // would block for ever if the FIFO were opened for reading
    REQUIRE_FALSE(st);
    CHECK(st.error().code == EINVAL);
    CHECK(r.size() == 0);
}
