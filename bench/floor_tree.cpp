#include "floor_tree.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace lensfs::bench {

namespace {

std::string error_text(int err) {
    char buf[128];
    return ::strerror_r(err, buf, sizeof buf); // GNU variant: returns the text
}

// The whole of a file, read until EOF (procfs files report size 0); errno in @p err on failure.
std::string read_whole(const std::string& path, int& err) {
    err = 0;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return {};
    }
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            text.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            err = errno;
            break;
        }
    }
    ::close(fd);
    return text;
}

Ino add_node(FloorTree& tree, Ino parent, std::string_view name, bool dir) {
    FloorNode node;
    node.name = name;
    node.parent = parent;
    node.dir = dir;
    tree.nodes.push_back(std::move(node));
    auto ino = static_cast<Ino>(tree.nodes.size());
    tree.nodes[parent - 1].children.push_back(ino);
    return ino;
}

// Adds relative path @p rel and the directories above it. Returns the file's node, or 0 when
// @p rel is not a clean relative path or is there already.
Ino add_path(FloorTree& tree, std::string_view rel) {
    Ino at = kRootIno;
    while (!rel.empty()) {
        std::size_t slash = rel.find('/');
        std::string_view name = rel.substr(0, slash);
        if (name.empty() || name == "." || name == ".." || !tree.nodes[at - 1].dir) {
            return 0;
        }
        Ino next = tree.child(at, name);
        if (slash == std::string_view::npos) {
            return next != 0 ? 0 : add_node(tree, at, name, false);
        }
        at = next != 0 ? next : add_node(tree, at, name, true);
        rel.remove_prefix(slash + 1);
    }
    return 0;
}

// Copies @p path into @p node; an empty string, or what went wrong.
std::string copy_file(const std::string& path, FloorNode& node) {
    int err = 0;
    node.text = read_whole(path, err);
    struct stat st {};
    if (err == 0 && ::stat(path.c_str(), &st) != 0) {
        err = errno;
    }
    if (err != 0) {
        return fmt::format("cannot read {}: {}", path, error_text(err));
    }
    node.mode = st.st_mode & 0444; // slabinfo stays readable by root only
    return {};
}

} // namespace

const FloorNode* FloorTree::find(Ino ino) const noexcept {
    return ino >= 1 && ino <= nodes.size() ? &nodes[ino - 1] : nullptr;
}

Ino FloorTree::child(Ino dir, std::string_view name) const noexcept {
    for (Ino ino : nodes[dir - 1].children) {
        if (nodes[ino - 1].name == name) {
            return ino;
        }
    }
    return 0;
}

std::string build_floor_tree(const std::string& root, const std::vector<std::string>& files,
                             FloorTree& tree) {
    tree.nodes.assign(1, FloorNode{});
    tree.nodes[0].dir = true;
    for (const std::string& rel : files) {
        Ino ino = add_path(tree, rel);
        if (ino == 0) {
            return fmt::format("'{}': not a relative path, or given twice", rel);
        }
        std::string path = root;
        path += root.ends_with('/') ? "" : "/";
        path += rel;
        if (std::string err = copy_file(path, tree.nodes[ino - 1]); !err.empty()) {
            return err;
        }
    }
    return {};
}

} // namespace lensfs::bench
