#include <catch2/catch.hpp>

#include <set>
#include <thread>
#include <vector>

#include "fuse/handles.hpp"

using namespace lensfs::fuse;

TEST_CASE("handles carry the table's tag and find their file while open") {
    HandleTable table(0x1234);
    auto a = table.acquire();
    auto b = table.acquire();
    REQUIRE(a);
    REQUIRE(b);
    CHECK((a->fh >> 32) == 0x1234);
    CHECK(a->fh != b->fh);
    CHECK(table.find(a->fh) == a->file);
    CHECK(table.in_use() == 2);
    a->file->text = "hello";
    table.release(a->fh);
    CHECK(table.find(a->fh) == nullptr);
    CHECK(table.in_use() == 1);
    // A reused slot starts clean but keeps its buffer.
    auto c = table.acquire();
    REQUIRE(c);
    CHECK(c->file->text.empty());
    CHECK_FALSE(c->file->served);
    CHECK(c->file->viewer.is_host());
}

TEST_CASE("a handle of another server is never taken for one of ours") {
    HandleTable mine(7);
    HandleTable theirs(8);
    auto ours = mine.acquire();
    auto foreign = theirs.acquire();
    REQUIRE(ours);
    REQUIRE(foreign);
    CHECK_FALSE(mine.is_own(foreign->fh));
    CHECK(mine.find(foreign->fh) == nullptr);
    CHECK(mine.find_adopted(foreign->fh) == nullptr);
    auto adopted = mine.acquire();
    REQUIRE(adopted);
    CHECK(mine.adopt(foreign->fh, adopted->fh) == adopted->fh);
    auto late = mine.acquire();
    REQUIRE(late);
    CHECK(mine.adopt(foreign->fh, late->fh) == adopted->fh); // the first adoption wins
    mine.release(late->fh);
    CHECK(mine.find_adopted(foreign->fh) == adopted->file);
    mine.release(foreign->fh); // RELEASE of the foreign handle frees the adopted slot
    CHECK(mine.find_adopted(foreign->fh) == nullptr);
    CHECK(mine.find(adopted->fh) == nullptr);
    CHECK(mine.in_use() == 1);
    mine.release(foreign->fh); // twice is harmless
    mine.release(0);
    CHECK(mine.in_use() == 1);
}

TEST_CASE("concurrent opens and closes never hand out one slot twice") {
    HandleTable table(1);
    constexpr int kThreads = 4;
    constexpr int kRounds = 5000;
    std::vector<std::thread> threads;
    std::atomic<int> clashes{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                auto h = table.acquire();
                if (!h || h->file->served) {
                    ++clashes;
                    continue;
                }
                h->file->served = true;
                if (table.find(h->fh) != h->file) {
                    ++clashes;
                }
                h->file->served = false;
                table.release(h->fh);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(clashes == 0);
    CHECK(table.in_use() == 0);
}

TEST_CASE("page sizes: a cut inode is remembered, sizes never shrink below the floor") {
    PageSizes sizes;
    CHECK_FALSE(sizes.was_cut(5));
    CHECK(sizes.size_of(5, 4096) == 4096);
    sizes.note_short_read(5);
    CHECK(sizes.was_cut(5));
    sizes.note_grown(5, 300000);
    sizes.note_grown(5, 200000);
    CHECK(sizes.size_of(5, 4096) == 300000);
    CHECK_FALSE(sizes.was_cut(6));
}

TEST_CASE("after a burst of opens the table gives its extra chunks back, never the first") {
    HandleTable table(3);
    constexpr std::size_t kBurst = 3 * HandleTable::kChunkSize + 10;
    std::vector<std::uint64_t> open;
    for (std::size_t i = 0; i < kBurst; ++i) {
        auto a = table.acquire();
        REQUIRE(a);
        open.push_back(a->fh);
    }
    CHECK(table.chunks() == 4);
    CHECK(table.shrink() == 0); // all in use

    // One handle in the third chunk still open: only the fourth chunk can go.
    std::uint64_t keep = open[2 * HandleTable::kChunkSize + 5];
    for (std::uint64_t fh : open) {
        if (fh != keep) {
            table.release(fh);
        }
    }
    CHECK(table.shrink() == 1);
    CHECK(table.chunks() == 3);
    CHECK(table.find(keep) != nullptr);

    table.release(keep);
    CHECK(table.shrink() == 2);
    CHECK(table.chunks() == 1);
    CHECK(table.in_use() == 0);

    // The table grows again from where it shrank, lowest slots first.
    std::set<std::uint64_t> again;
    for (std::size_t i = 0; i < HandleTable::kChunkSize + 1; ++i) {
        auto a = table.acquire();
        REQUIRE(a);
        CHECK(again.insert(a->fh).second);
        CHECK(table.find(a->fh) == a->file);
    }
    CHECK(table.chunks() == 2);
}
