#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

// A fresh directory under /tmp, removed with its content when the test ends.
class TempDir {
public:
    TempDir() {
        char pattern[] = "/tmp/lensfs-unit-registry-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

    /// Names in the directory that start with @p prefix.
    [[nodiscard]] std::vector<std::string> names_starting(const std::string& prefix) const {
        std::vector<std::string> out;
        for (const auto& item : std::filesystem::directory_iterator(path_)) {
            std::string name = item.path().filename().string();
            if (name.rfind(prefix, 0) == 0) {
                out.push_back(name);
            }
        }
        return out;
    }

private:
    std::string path_;
};
