// fuse-floor: the benchmark's floor, a FUSE file system that does no work per request.
//
// It serves a copy of each file named on the command line, taken once at start-up from the
// host, and mounts and answers the way lensfs does: every open with direct I/O and no FLUSH
// (so each read() is a READ request, and a read at EOF one more), allow_other and
// default_permissions, a multithreaded loop of at most 8 workers, names and attributes cached
// by the kernel for a day. What a read costs here is what FUSE itself costs; run-bench compares
// lensfs with it. Stand-alone like lensfs-bench: it shares no code with the daemon.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

#include <fcntl.h>
#include <getopt.h>

#include <fmt/format.h>
#include <fuse_lowlevel.h>

#include "floor_tree.hpp"

namespace {

using lensfs::bench::FloorNode;
using lensfs::bench::FloorTree;

static_assert(lensfs::bench::kRootIno == FUSE_ROOT_ID);

// lensfs's template nodes never change while mounted, and neither do these.
constexpr double kTimeout = 86400.0;
constexpr unsigned kDefaultThreads = 8; // lensfs's default --threads
constexpr unsigned kMaxThreads = 64;

struct Options {
    unsigned threads = kDefaultThreads;
    std::string root = "/";
    bool debug = false;
    std::string mountpoint;
    std::vector<std::string> files;
};

// ---------------------------------------------------------------- requests

const FloorTree& tree_of(fuse_req_t req) {
    return *static_cast<const FloorTree*>(fuse_req_userdata(req));
}

struct stat attributes(const FloorNode& node, fuse_ino_t ino) {
    struct stat st {};
    st.st_ino = ino;
    st.st_mode = node.dir ? S_IFDIR | node.mode : S_IFREG | node.mode;
    st.st_nlink = node.dir ? 2 : 1;
    st.st_size = static_cast<off_t>(node.text.size());
    st.st_blksize = 4096;
    return st;
}

/// Runs @p fn, which returns 0 after replying or an errno to reply with. Exceptions stop here.
template <typename Fn> void guarded(fuse_req_t req, Fn&& fn) noexcept {
    int err = 0;
    try {
        err = fn();
    } catch (const std::bad_alloc&) {
        err = ENOMEM;
    } catch (...) {
        err = EIO;
    }
    if (err != 0) {
        fuse_reply_err(req, err);
    }
}

int lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
    const FloorTree& tree = tree_of(req);
    const FloorNode* dir = tree.find(parent);
    if (dir == nullptr || !dir->dir) {
        return dir == nullptr ? ENOENT : ENOTDIR;
    }
    fuse_ino_t ino = tree.child(parent, name);
    if (ino == 0) {
        return ENOENT;
    }
    fuse_entry_param e{};
    e.ino = ino;
    e.attr = attributes(tree.nodes[ino - 1], ino);
    e.attr_timeout = kTimeout;
    e.entry_timeout = kTimeout;
    fuse_reply_entry(req, &e);
    return 0;
}

int getattr(fuse_req_t req, fuse_ino_t ino) {
    const FloorNode* node = tree_of(req).find(ino);
    if (node == nullptr) {
        return ENOENT;
    }
    struct stat st = attributes(*node, ino);
    fuse_reply_attr(req, &st, kTimeout);
    return 0;
}

int open_file(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    const FloorNode* node = tree_of(req).find(ino);
    if (node == nullptr || node->dir) {
        return node == nullptr ? ENOENT : EISDIR;
    }
    if ((fi->flags & O_ACCMODE) != O_RDONLY) {
        return EACCES;
    }
    fi->direct_io = 1; // every read() reaches the daemon, as in lensfs
    fi->keep_cache = 0;
    fi->noflush = 1;
    fuse_reply_open(req, fi);
    return 0;
}

int read_file(fuse_req_t req, fuse_ino_t ino, std::size_t size, off_t off) {
    const FloorNode* node = tree_of(req).find(ino);
    if (node == nullptr || node->dir) {
        return node == nullptr ? EBADF : EISDIR;
    }
    const std::string& text = node->text;
    if (off < 0 || static_cast<std::size_t>(off) >= text.size()) {
        fuse_reply_buf(req, nullptr, 0);
        return 0;
    }
    auto start = static_cast<std::size_t>(off);
    fuse_reply_buf(req, text.data() + start, std::min(size, text.size() - start));
    return 0;
}

int open_dir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    const FloorNode* node = tree_of(req).find(ino);
    if (node == nullptr || !node->dir) {
        return node == nullptr ? ENOENT : ENOTDIR;
    }
    fuse_reply_open(req, fi);
    return 0;
}

// Entry i of a directory's listing: ".", "..", then its children in the order given.
int read_dir(fuse_req_t req, fuse_ino_t ino, std::size_t size, off_t off) {
    const FloorTree& tree = tree_of(req);
    const FloorNode* dir = tree.find(ino);
    if (dir == nullptr || !dir->dir) {
        return dir == nullptr ? EBADF : ENOTDIR;
    }
    std::vector<char> buf(size);
    std::size_t used = 0;
    std::size_t count = dir->children.size() + 2;
    for (auto i = static_cast<std::size_t>(std::max<off_t>(off, 0)); i < count; ++i) {
        fuse_ino_t entry = i == 0 ? ino : i == 1 ? dir->parent : dir->children[i - 2];
        const char* name = i == 0 ? "." : i == 1 ? ".." : tree.nodes[entry - 1].name.c_str();
        struct stat st = attributes(tree.nodes[entry - 1], entry);
        std::size_t need = fuse_add_direntry(req, buf.data() + used, size - used, name, &st,
                                             static_cast<off_t>(i + 1));
        if (need > size - used) {
            break;
        }
        used += need;
    }
    fuse_reply_buf(req, buf.data(), used);
    return 0;
}

void op_init(void* /*userdata*/, fuse_conn_info* conn) {
    conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA; // as lensfs asks
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
    guarded(req, [&] { return lookup(req, parent, name); });
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
    guarded(req, [&] { return getattr(req, ino); });
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, [&] { return open_file(req, ino, fi); });
}

void op_read(fuse_req_t req, fuse_ino_t ino, std::size_t size, off_t off, fuse_file_info* /*fi*/) {
    guarded(req, [&] { return read_file(req, ino, size, off); });
}

void op_release(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* /*fi*/) {
    fuse_reply_err(req, 0);
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    guarded(req, [&] { return open_dir(req, ino, fi); });
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, std::size_t size, off_t off,
                fuse_file_info* /*fi*/) {
    guarded(req, [&] { return read_dir(req, ino, size, off); });
}

void op_releasedir(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* /*fi*/) {
    fuse_reply_err(req, 0);
}

// No flush handler: opens ask for none (noflush), as in lensfs.
fuse_lowlevel_ops make_ops() {
    fuse_lowlevel_ops ops{};
    ops.init = op_init;
    ops.lookup = op_lookup;
    ops.getattr = op_getattr;
    ops.open = op_open;
    ops.read = op_read;
    ops.release = op_release;
    ops.opendir = op_opendir;
    ops.readdir = op_readdir;
    ops.releasedir = op_releasedir;
    return ops;
}

// ---------------------------------------------------------------- the session

struct SessionDeleter {
    void operator()(fuse_session* se) const { fuse_session_destroy(se); }
};
struct LoopConfigDeleter {
    void operator()(fuse_loop_config* c) const { fuse_loop_cfg_destroy(c); }
};

// lensfs's loop: up to N workers, all of them kept when idle, one /dev/fuse descriptor.
int run_loop(fuse_session* se, unsigned threads) {
    std::unique_ptr<fuse_loop_config, LoopConfigDeleter> config(fuse_loop_cfg_create());
    if (!config || threads == 1) {
        return fuse_session_loop(se);
    }
    fuse_loop_cfg_set_max_threads(config.get(), threads);
    fuse_loop_cfg_set_idle_threads(config.get(), threads);
    fuse_loop_cfg_set_clone_fd(config.get(), 0);
    return fuse_session_loop_mt(se, config.get());
}

int serve(const Options& opt, FloorTree& tree) {
    std::vector<std::string> argv_store = {
        "fuse-floor", "-o", "allow_other,default_permissions,fsname=fuse-floor,subtype=fuse-floor"};
    if (opt.debug) {
        argv_store.emplace_back("-d");
    }
    std::vector<char*> argv;
    argv.reserve(argv_store.size());
    for (std::string& arg : argv_store) {
        argv.push_back(arg.data());
    }
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    std::unique_ptr<fuse_args, void (*)(fuse_args*)> args_owner(&args, fuse_opt_free_args);
    const fuse_lowlevel_ops ops = make_ops();
    std::unique_ptr<fuse_session, SessionDeleter> se(
        fuse_session_new(&args, &ops, sizeof(ops), &tree));
    if (!se || fuse_set_signal_handlers(se.get()) != 0) {
        fmt::print(stderr, "fuse-floor: cannot create the FUSE session\n");
        return 1;
    }
    if (fuse_session_mount(se.get(), opt.mountpoint.c_str()) != 0) {
        fmt::print(stderr, "fuse-floor: cannot mount on {}\n", opt.mountpoint);
        fuse_remove_signal_handlers(se.get());
        return 1;
    }
    int rc = run_loop(se.get(), opt.threads);
    fuse_session_unmount(se.get());
    fuse_remove_signal_handlers(se.get());
    return rc >= 0 ? 0 : 1; // the loop returns the signal that ended it: a clean stop
}

// ---------------------------------------------------------------- command line

void usage(std::FILE* to) {
    fmt::print(to,
               "usage: fuse-floor [OPTIONS] MOUNTPOINT FILE...\n"
               "Serves a copy of each FILE (a path relative to ROOT, e.g. proc/meminfo), taken\n"
               "at start-up, on MOUNTPOINT at the same relative path: direct I/O, no flush,\n"
               "allow_other, default_permissions. Stays in the foreground; SIGINT or SIGTERM\n"
               "unmounts. The floor of bench/run-bench (see docs/benchmark.md).\n\n"
               "  -t, --threads N   at most N worker threads (1-{}, default {})\n"
               "  -r, --root DIR    copy the files from below DIR (default /)\n"
               "  -d, --debug       print libfuse's trace of every request\n"
               "  -h, --help        this text\n",
               kMaxThreads, kDefaultThreads);
}

bool parse_threads(const char* s, unsigned& out) {
    char* end = nullptr;
    errno = 0;
    unsigned long v = std::strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 1 || v > kMaxThreads) {
        return false;
    }
    out = static_cast<unsigned>(v);
    return true;
}

// Returns -1 to go on, else the exit code (0 after --help, 2 after a usage error).
int parse_args(int argc, char** argv, Options& opt) {
    static const option kLong[] = {{"threads", required_argument, nullptr, 't'},
                                   {"root", required_argument, nullptr, 'r'},
                                   {"debug", no_argument, nullptr, 'd'},
                                   {"help", no_argument, nullptr, 'h'},
                                   {nullptr, 0, nullptr, 0}};
    int c = 0;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): runs before any other thread exists
    while ((c = getopt_long(argc, argv, "t:r:dh", kLong, nullptr)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 't' && !parse_threads(optarg, opt.threads)) {
            fmt::print(stderr, "fuse-floor: --threads wants 1 to {}, got '{}'\n", kMaxThreads,
                       optarg);
            return 2;
        }
        if (c == 'r') {
            opt.root = optarg;
        } else if (c == 'd') {
            opt.debug = true;
        } else if (c == '?') {
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind < 2) {
        usage(stderr);
        return 2;
    }
    opt.mountpoint = argv[optind];
    opt.files.assign(argv + optind + 1, argv + argc);
    return -1;
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    if (int code = parse_args(argc, argv, opt); code >= 0) {
        return code;
    }
    FloorTree tree;
    if (std::string err = lensfs::bench::build_floor_tree(opt.root, opt.files, tree);
        !err.empty()) {
        fmt::print(stderr, "fuse-floor: {}\n", err);
        return 1;
    }
    return serve(opt, tree);
}
