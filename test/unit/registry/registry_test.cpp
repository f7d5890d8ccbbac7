#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "model/boundary.hpp"
#include "registry/registry.hpp"
#include "temp_dir.hpp"
#include "util/file.hpp"

using namespace lensfs;

namespace {

Entry make_entry(std::string id, std::string cgroup, double boottime = 100.0) {
    Entry e;
    e.id = std::move(id);
    e.cgroup = std::move(cgroup);
    e.start_boottime_s = boottime;
    e.start_wall_s = 1.7e9 + boottime;
    return e;
}

// What the registry holds for @p id, slot aside (the registry gives slots itself).
std::optional<Entry> without_slot(const Registry& r, std::string_view id) {
    auto e = r.get(id);
    if (e) {
        CHECK(e->slot != 0);
        e->slot = 0;
    }
    return e;
}

std::string found_id(const Registry& r, std::string_view cgroup) {
    auto record = r.longest_containing(cgroup);
    return record ? record->id : "<none>";
}

} // namespace

TEST_CASE("upsert adds, updates idempotently and rejects invalid entries") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.load());
    CHECK(r.size() == 0);

    REQUIRE(r.upsert(make_entry("web-1", "/lensfs-test-a", 10)));
    REQUIRE(r.upsert(make_entry("web-1", "/lensfs-test-a", 10)));
    CHECK(r.size() == 1);

    Entry changed = make_entry("web-1", "/lensfs-test-b", 20);
    changed.init_pid = 77;
    changed.annotations = {{"k", "v"}};
    REQUIRE(r.upsert(changed));
    CHECK(r.size() == 1);
    CHECK(without_slot(r, "web-1") == changed);
    CHECK(found_id(r, "/lensfs-test-a") == "<none>");
    CHECK(found_id(r, "/lensfs-test-b") == "web-1");

    auto bad = r.upsert(make_entry("bad id", "/x"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == EINVAL);
    CHECK(r.size() == 1);
}

TEST_CASE("remove deletes and reports unknown ids") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.upsert(make_entry("a", "/a")));
    REQUIRE(r.remove("a"));
    CHECK_FALSE(r.get("a"));
    CHECK(found_id(r, "/a") == "<none>");

    auto missing = r.remove("a");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);
    CHECK(missing.error().context == "no container with id 'a'");
}

TEST_CASE("longest_containing respects component boundaries and nesting") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.upsert(make_entry("ab", "/a/b")));
    REQUIRE(r.upsert(make_entry("abc-nested", "/a/b/c")));
    REQUIRE(r.upsert(make_entry("sibling", "/a/bc")));

    CHECK(found_id(r, "/a/b") == "ab");
    CHECK(found_id(r, "/a/b/x/y") == "ab");
    CHECK(found_id(r, "/a/b/c") == "abc-nested");
    CHECK(found_id(r, "/a/b/c/d") == "abc-nested");
    CHECK(found_id(r, "/a/b/cd") == "ab");
    CHECK(found_id(r, "/a/bc") == "sibling");
    CHECK(found_id(r, "/a/bc/x") == "sibling");
    CHECK(found_id(r, "/a/bcd") == "<none>");
    CHECK(found_id(r, "/a") == "<none>");
    CHECK(found_id(r, "/") == "<none>");
    CHECK(found_id(r, "") == "<none>");
    CHECK(found_id(r, "a/b") == "<none>");

    auto record = r.longest_containing("/a/b/c/e");
    REQUIRE(record);
    CHECK(record->cgroup == "/a/b/c");
    CHECK(record->start_boottime_s == 100.0);
}

TEST_CASE("a container at the root cgroup contains everything") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.upsert(make_entry("root", "/")));
    CHECK(found_id(r, "/") == "root");
    CHECK(found_id(r, "/anything/at/all") == "root");
    REQUIRE(r.upsert(make_entry("x", "/x")));
    CHECK(found_id(r, "/x/y") == "x");
    CHECK(found_id(r, "/xy") == "root");
}

TEST_CASE("two entries on one cgroup: the later start owns it") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.upsert(make_entry("new", "/c", 200)));
    REQUIRE(r.upsert(make_entry("stale", "/c", 100)));
    CHECK(found_id(r, "/c/x") == "new");
    REQUIRE(r.remove("new"));
    CHECK(found_id(r, "/c/x") == "stale");
}

TEST_CASE("the boundary rule over a plain list agrees with the registry's index") {
    TempDir dir;
    Registry r(dir.path());
    std::vector<Entry> list{make_entry("ab", "/a/b"),       make_entry("abc-nested", "/a/b/c"),
                            make_entry("sibling", "/a/bc"), make_entry("new", "/c", 200),
                            make_entry("stale", "/c", 100), make_entry("tie-b", "/t", 50),
                            make_entry("tie-a", "/t", 50)};
    for (const auto& e : list) {
        REQUIRE(r.upsert(e));
    }
    for (std::string_view cg : {"/a/b", "/a/b/x/y", "/a/b/c", "/a/b/c/d", "/a/b/cd", "/a/bc",
                                "/a/bc/x", "/a/bcd", "/a", "/", "", "a/b", "/c", "/c/x", "/t/1"}) {
        INFO("cgroup " << cg);
        const Entry* pure = longest_containing(list, cg);
        auto indexed = r.longest_containing(cg);
        REQUIRE(static_cast<bool>(pure) == static_cast<bool>(indexed));
        if (pure != nullptr) {
            CHECK(pure->id == indexed->id);
        }
    }
    CHECK(longest_containing(list, "/c/x")->id == "new");
    CHECK(longest_containing(list, "/t")->id == "tie-b");
    std::vector<Entry> with_root{make_entry("root", "/"), make_entry("x", "/x")};
    CHECK(longest_containing(with_root, "/xy")->id == "root");
    CHECK(longest_containing(with_root, "/x/y")->id == "x");
    CHECK(longest_containing(with_root, "x") == nullptr);
}

TEST_CASE("state survives a new Registry on the same directory") {
    TempDir dir;
    Entry a = make_entry("web-1", "/lensfs-test-a", 81234.250113);
    a.init_pid = 4242;
    a.start_wall_s = 1718000000.123456789;
    a.annotations = {{"io.example/owner", "team \"a\"\n"}, {"emoji", "\xf0\x9f\x98\x80"}};
    {
        Registry r(dir.path());
        REQUIRE(r.upsert(a));
        REQUIRE(r.upsert(make_entry("db", "/lensfs-test-a/db")));
        REQUIRE(r.upsert(make_entry("gone", "/gone")));
        REQUIRE(r.remove("gone"));
    }
    struct stat st {};
    REQUIRE(::stat(dir.file("registry.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    Registry again(dir.path());
    REQUIRE(again.load());
    REQUIRE(again.size() == 2);
    CHECK(without_slot(again, "web-1") == a); // bit-exact times: a restart must not shift uptime
    CHECK(found_id(again, "/lensfs-test-a/db/x") == "db");
    CHECK_FALSE(again.get("gone"));
    CHECK(dir.names_starting("registry.json.corrupt").empty());
}

TEST_CASE("load replaces the in-memory table") {
    TempDir dir;
    Registry writer(dir.path());
    REQUIRE(writer.upsert(make_entry("a", "/a")));
    Registry reader(dir.path());
    REQUIRE(reader.load());
    REQUIRE(writer.upsert(make_entry("b", "/b")));
    REQUIRE(writer.remove("a"));
    REQUIRE(reader.load());
    CHECK(reader.size() == 1);
    CHECK(reader.get("b"));
    CHECK(found_id(reader, "/a") == "<none>");
}

TEST_CASE("a state dir that cannot be written rolls the change back") {
    TempDir dir;
    std::string not_a_dir = dir.file("plain-file");
    REQUIRE(write_file_atomic(not_a_dir, "x"));
    Registry r(not_a_dir);
    auto st = r.upsert(make_entry("a", "/a"));
    REQUIRE_FALSE(st);
    CHECK(st.error().code == ENOTDIR);
    CHECK(r.size() == 0);
    CHECK(found_id(r, "/a") == "<none>");

    // The same for an update and a removal of an entry that exists.
    TempDir good;
    Registry ok(good.path());
    REQUIRE(ok.upsert(make_entry("a", "/a", 1)));
    std::filesystem::remove_all(good.path());
    REQUIRE(write_file_atomic(good.path(), "now a file"));
    CHECK_FALSE(ok.upsert(make_entry("a", "/changed", 2)));
    CHECK(ok.get("a")->cgroup == "/a");
    CHECK_FALSE(ok.remove("a"));
    CHECK(ok.get("a"));
    CHECK(found_id(ok, "/a") == "a");
    ::unlink(good.path().c_str());
}

TEST_CASE("prune drops what is gone and persists") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.upsert(make_entry("keep", "/keep")));
    REQUIRE(r.upsert(make_entry("drop-1", "/drop/1")));
    REQUIRE(r.upsert(make_entry("drop-2", "/drop/2")));
    auto gone = [](const Entry& e) { return e.id.rfind("drop", 0) == 0; };
    CHECK(r.prune(gone) == 2);
    CHECK(r.size() == 1);
    CHECK(found_id(r, "/drop/1") == "<none>");
    CHECK(r.prune(gone) == 0);

    Registry again(dir.path());
    REQUIRE(again.load());
    CHECK(again.size() == 1);
    CHECK(again.get("keep"));
}

TEST_CASE("readers run concurrently with writers") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.upsert(make_entry("base", "/base")));
    std::atomic<bool> stop{false};
    std::atomic<int> misses{0};
    std::thread reader([&] {
        while (!stop) {
            if (found_id(r, "/base/x") != "base") {
                ++misses;
            }
        }
    });
    for (int i = 0; i < 20; ++i) {
        REQUIRE(r.upsert(make_entry("c" + std::to_string(i), "/c/" + std::to_string(i))));
    }
    stop = true;
    reader.join();
    CHECK(misses == 0);
    CHECK(r.size() == 21);
}

TEST_CASE("a reload never shows readers an empty table") {
    TempDir dir;
    Registry r(dir.path());
    REQUIRE(r.load());
    REQUIRE(r.upsert(make_entry("web-1", "/lensfs-test-a")));
    auto slot = r.get("web-1")->slot;
    std::atomic<bool> stop{false};
    std::atomic<int> missing{0};
    std::thread reader([&] {
        while (!stop) {
            if (!r.by_slot(slot) || !r.get("web-1")) {
                ++missing;
            }
        }
    });
    for (int i = 0; i < 200; ++i) {
        REQUIRE(r.load());
    }
    stop = true;
    reader.join();
    CHECK(missing == 0);
}
