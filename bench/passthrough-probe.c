/*
 * passthrough-probe: what the kernel's FUSE passthrough (FOPEN_PASSTHROUGH, kernel 6.9+) can
 * and cannot do for a file whose text differs from reader to reader. A bare FUSE server with
 * one file, "f", and no libfuse (libfuse 3.14 has no passthrough API): it offers
 * FUSE_PASSTHROUGH at INIT and answers each OPEN with a backing file chosen by the probe,
 * a memfd holding that opener's text. The probe then opens "f" as two different "readers":
 *
 *   1. reader A opens (backing memfd "A"): read(), sendfile() and mmap() all see A's text;
 *   2. while A keeps it open, reader B opens with its own backing memfd "B";
 *   3. while A keeps it open, reader B opens with A's backing file;
 *   4. while A keeps it open, an open without passthrough (FOPEN_DIRECT_IO);
 *   5. after A closed, B opens with backing "B".
 *
 * and prints what each open and read gave. Run as root: passthrough needs CAP_SYS_ADMIN.
 *
 *   passthrough-probe [MOUNTPOINT]      (default: a temporary directory)
 *
 * Exit status 0 when the probe ran (whatever the kernel said), 77 when this kernel has no
 * passthrough, 1 on a setup failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* From the kernel's uapi headers since 7.40; Debian 12's are older. */
#define PROBE_FUSE_PASSTHROUGH_FLAG2 (1u << 5) /* FUSE_PASSTHROUGH = 1ULL << 37 */
#define PROBE_FOPEN_PASSTHROUGH (1u << 7)
#define PROBE_INIT_EXT (1u << 30)
struct probe_backing_map {
    int32_t fd;
    uint32_t flags;
    uint64_t padding;
};
#define PROBE_IOC_BACKING_OPEN _IOW(229, 1, struct probe_backing_map)
struct probe_open_out {
    uint64_t fh;
    uint32_t open_flags;
    int32_t backing_id;
};

enum { FILE_INO = 2 };

/* What the server answers the next OPEN with; set by the probe through a pipe. */
enum choice { USE_A = 'A', USE_B = 'B', USE_A_FOR_B = 'a', NO_PASSTHROUGH = 'n' };

static int dev = -1;

static void reply(uint64_t unique, int error, const void* data, size_t len) {
    struct fuse_out_header out = {
        .len = (uint32_t)(sizeof(out) + len), .error = error, .unique = unique};
    char buf[4096];
    memcpy(buf, &out, sizeof(out));
    if (len > 0) {
        memcpy(buf + sizeof(out), data, len);
    }
    if (write(dev, buf, out.len) < 0 && errno != ENOENT) {
        perror("probe: reply");
    }
}

static void fill_attr(struct fuse_attr* a, uint64_t ino) {
    memset(a, 0, sizeof(*a));
    a->ino = ino;
    a->mode = ino == FUSE_ROOT_ID ? (S_IFDIR | 0755) : (S_IFREG | 0444);
    a->nlink = 1;
    a->size = 4096;
    a->blksize = 4096;
}

static int memfd_with(const char* text) {
    int fd = memfd_create("probe", MFD_CLOEXEC);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) {
        return -1;
    }
    return fd;
}

static int register_backing(int fd) {
    struct probe_backing_map map = {.fd = fd};
    return ioctl(dev, PROBE_IOC_BACKING_OPEN, &map);
}

/* The server: answers requests until the mount goes. */
static void serve(int choices) {
    int memfd_a = memfd_with("MemTotal: 262144 kB (container A)\n");
    int memfd_b = memfd_with("MemTotal: 1048576 kB (container B)\n");
    int id_a = -1;
    char buf[1 << 17];
    for (;;) {
        ssize_t n = read(dev, buf, sizeof(buf));
        if (n < 0 && (errno == EINTR || errno == ENOENT)) {
            continue;
        }
        if (n < 0) {
            return; /* ENODEV: unmounted */
        }
        struct fuse_in_header* in = (struct fuse_in_header*)buf;
        void* arg = buf + sizeof(*in);
        switch (in->opcode) {
        case FUSE_INIT: {
            struct fuse_init_in* ii = arg;
            struct fuse_init_out out = {.major = 7,
                                        .minor = ii->minor,
                                        .max_readahead = 65536,
                                        .max_write = 65536,
                                        .max_pages = 16};
            out.flags = PROBE_INIT_EXT;
            out.flags2 = (ii->flags2 & PROBE_FUSE_PASSTHROUGH_FLAG2);
            out.unused[0] = 1; /* max_stack_depth */
            if ((ii->flags2 & PROBE_FUSE_PASSTHROUGH_FLAG2) == 0) {
                fprintf(stderr, "probe: this kernel offers no FUSE passthrough\n");
            }
            reply(in->unique, 0, &out, sizeof(out));
            break;
        }
        case FUSE_LOOKUP: {
            struct fuse_entry_out e = {0};
            if (strcmp(arg, "f") != 0) {
                reply(in->unique, -ENOENT, NULL, 0);
                break;
            }
            e.nodeid = FILE_INO;
            fill_attr(&e.attr, FILE_INO);
            reply(in->unique, 0, &e, sizeof(e));
            break;
        }
        case FUSE_GETATTR: {
            struct fuse_attr_out a = {0};
            fill_attr(&a.attr, in->nodeid);
            reply(in->unique, 0, &a, sizeof(a));
            break;
        }
        case FUSE_OPEN: {
            char c = NO_PASSTHROUGH;
            if (read(choices, &c, 1) != 1) {
                c = NO_PASSTHROUGH;
            }
            struct probe_open_out o = {.fh = 1};
            if (c == NO_PASSTHROUGH) {
                o.open_flags = FOPEN_DIRECT_IO;
            } else {
                int id = c == USE_B ? register_backing(memfd_b) : id_a;
                if (c == USE_A) {
                    id = id_a = register_backing(memfd_a);
                }
                o.open_flags = PROBE_FOPEN_PASSTHROUGH;
                o.backing_id = id;
            }
            reply(in->unique, 0, &o, sizeof(o));
            break;
        }
        case FUSE_READ: /* only non-passthrough opens read here */
            reply(in->unique, 0, "MemTotal: from the daemon\n", 26);
            break;
        case FUSE_RELEASE:
        case FUSE_FLUSH:
            reply(in->unique, 0, NULL, 0);
            break;
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
            break;
        default:
            reply(in->unique, -ENOSYS, NULL, 0);
        }
    }
}

static int choose_and_open(int choices, char c, const char* path) {
    if (write(choices, &c, 1) != 1) {
        return -1;
    }
    return open(path, O_RDONLY);
}

static void show_reads(const char* label, int fd) {
    char text[128] = {0};
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    printf("  %s read():     %s", label, n > 0 ? text : "(nothing)\n");
    int p[2];
    if (pipe(p) == 0) {
        off_t off = 0;
        memset(text, 0, sizeof(text));
        ssize_t s = sendfile(p[1], fd, &off, 4096);
        if (s > 0 && read(p[0], text, sizeof(text) - 1) > 0) {
            printf("  %s sendfile(): %s", label, text);
        } else {
            printf("  %s sendfile(): %s\n", label, s < 0 ? strerror(errno) : "0 bytes");
        }
        close(p[0]);
        close(p[1]);
    }
    void* m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("  %s mmap():     %s", label, m == MAP_FAILED ? "failed: " : (const char*)m);
    if (m == MAP_FAILED) {
        printf("%s\n", strerror(errno));
    } else {
        munmap(m, 4096);
    }
}

static void report_open(const char* what, int fd) {
    printf("%s: %s\n", what, fd >= 0 ? "opened" : strerror(errno));
}

int main(int argc, char** argv) {
    char tmp[] = "/tmp/passthrough-probe.XXXXXX";
    const char* mnt = argc > 1 ? argv[1] : mkdtemp(tmp);
    char path[4096];
    snprintf(path, sizeof(path), "%s/f", mnt);
    dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    char opts[256];
    snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", dev);
    if (dev < 0 || mount("probe", mnt, "fuse.probe", MS_NOSUID | MS_NODEV, opts) != 0) {
        perror("probe: mount");
        return 1;
    }
    int choices[2];
    if (pipe(choices) != 0) {
        return 1;
    }
    pid_t server = fork();
    if (server == 0) {
        close(choices[1]);
        serve(choices[0]);
        _exit(0);
    }
    close(choices[0]);

    int a = choose_and_open(choices[1], USE_A, path);
    report_open("1. reader A opens with backing file A", a);
    if (a >= 0) {
        show_reads("A", a);
    }
    int b = choose_and_open(choices[1], USE_B, path);
    report_open("2. reader B opens with its own backing file while A is open", b);
    if (b >= 0) {
        show_reads("B", b);
        close(b);
    }
    b = choose_and_open(choices[1], USE_A_FOR_B, path);
    report_open("3. reader B opens with A's backing file while A is open", b);
    if (b >= 0) {
        show_reads("B", b);
        close(b);
    }
    b = choose_and_open(choices[1], NO_PASSTHROUGH, path);
    report_open("4. an open without passthrough (direct I/O) while A is open", b);
    if (b >= 0) {
        close(b);
    }
    if (a >= 0) {
        close(a);
    }
    usleep(100000); /* RELEASE is asynchronous */
    b = choose_and_open(choices[1], USE_B, path);
    report_open("5. reader B opens with its own backing file after A closed", b);
    if (b >= 0) {
        show_reads("B", b);
        close(b);
    }
    umount2(mnt, MNT_DETACH);
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    if (argc <= 1) {
        rmdir(mnt);
    }
    return 0;
}
