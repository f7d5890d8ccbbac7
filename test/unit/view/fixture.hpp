#pragma once

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "util/file.hpp"
#include "view/engine.hpp"

namespace view_test {

inline const std::string kData = LENSFS_TEST_DATA;

/// An engine over the fixture tree test/data/cgroup/@p mode and the fake /proc at
/// test/data/host.
inline std::unique_ptr<lensfs::view::Engine> fixture_engine(const std::string& mode,
                                                            lensfs::view::Options options = {}) {
    auto layout = lensfs::cgroup::Layout::from_root(kData + "/cgroup/" + mode);
    REQUIRE(layout);
    auto proc = lensfs::host::HostProc::open(kData + "/host");
    REQUIRE(proc);
    return std::make_unique<lensfs::view::Engine>(std::move(*layout), std::move(*proc), options);
}

/// test/data/@p relative, which must exist.
inline std::string data(const std::string& relative) {
    auto text = lensfs::read_file(kData + "/" + relative);
    INFO(relative);
    REQUIRE(text);
    return *text;
}

} // namespace view_test
