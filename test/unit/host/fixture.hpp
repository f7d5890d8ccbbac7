#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "util/file.hpp"

/// Text of test/data/host/@p name (a file captured from a real host, or a variant of one).
inline std::string host_fixture(const std::string& name) {
    auto text = lensfs::read_file(std::string(LENSFS_TEST_DATA) + "/host/" + name);
    REQUIRE(text);
    return *text;
}
