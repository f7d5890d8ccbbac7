#include "golden.hpp"

#include <cstdlib>
#include <string_view>

#include <catch2/catch.hpp>

#include "util/file.hpp"

bool updating_golden() {
    const char* env = std::getenv("LENSFS_UPDATE_GOLDEN");
    return env != nullptr && std::string_view(env) == "1";
}

std::string test_data(const std::string& relative) {
    std::string path = std::string(LENSFS_TEST_DATA) + "/" + relative;
    auto text = lensfs::read_file(path);
    INFO(path);
    REQUIRE(text);
    return *text;
}

void check_golden(const std::string& path, const std::string& actual) {
    INFO("golden file " << path);
    if (updating_golden()) {
        REQUIRE(lensfs::write_file_atomic(path, actual, 0644));
        return;
    }
    auto expected = lensfs::read_file(path);
    REQUIRE(expected); // a missing file: run once with LENSFS_UPDATE_GOLDEN=1 and review it
    CHECK(actual == *expected);
}
