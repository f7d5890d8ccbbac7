// Runs a command under a seccomp filter that sends its sysinfo(2) calls to a listener, and
// hands the listener to SOCKET the way an OCI runtime does (runtime spec "container process
// state": the JSON and the descriptor in one message). For the sysinfo tests without runc,
// and as a hostile sender:
//
//   notify-run [--id ID] [--json TEXT] [--no-fd] [--pipe-fd] [--pid N] SOCKET CMD [ARG...]
//
// --json sends TEXT instead of the state, --no-fd sends no descriptor, --pipe-fd a pipe
// instead of the listener, --pid claims process N. Exits with CMD's status.

#include <cerrno>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int send_fd(int sock, const char* text, size_t len, int fd) {
    char control[CMSG_SPACE(sizeof(int))];
    iovec iov{const_cast<char*>(text), len};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = sizeof(control);
        struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

static int recv_fd(int sock) {
    char byte;
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&byte, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    if (recvmsg(sock, &msg, 0) <= 0) {
        return -1;
    }
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    int fd = -1;
    if (c != NULL && c->cmsg_type == SCM_RIGHTS) {
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
    }
    return fd;
}

static int install_filter(void) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sysinfo, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(sizeof(code) / sizeof(code[0])), code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return -1;
    }
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                        &prog);
}

int main(int argc, char** argv) {
    const char* id = "lensfs-test-notify";
    const char* json = NULL;
    int no_fd = 0, pipe_fd = 0;
    long claimed = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--id") == 0 && i + 1 < argc) {
            id = argv[++i];
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            json = argv[++i];
        } else if (strcmp(argv[i], "--no-fd") == 0) {
            no_fd = 1;
        } else if (strcmp(argv[i], "--pipe-fd") == 0) {
            pipe_fd = 1;
        } else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc) {
            claimed = atol(argv[++i]);
        } else {
            break;
        }
    }
    if (argc - i < 2) {
        fprintf(stderr, "usage: notify-run [OPTIONS] SOCKET CMD [ARG...]\n");
        return 2;
    }
    const char* socket_path = argv[i];
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0) {
        perror("socketpair");
        return 2;
    }
    pid_t child = fork();
    if (child == 0) {
        close(sp[0]);
        int listener = install_filter();
        if (listener < 0) {
            perror("notify-run: seccomp");
            _exit(126);
        }
        char go;
        if (send_fd(sp[1], "L", 1, listener) != 0 || read(sp[1], &go, 1) != 1) {
            _exit(126);
        }
        close(listener);
        close(sp[1]);
        execvp(argv[i + 1], argv + i + 1);
        perror("notify-run: exec");
        _exit(127);
    }
    close(sp[1]);
    int listener = recv_fd(sp[0]);
    if (listener < 0) {
        fprintf(stderr, "notify-run: no listener from the child\n");
        return 2;
    }
    char state[1024];
    if (json == NULL) {
        snprintf(state, sizeof(state),
                 "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":%ld,"
                 "\"metadata\":\"\",\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"%s\","
                 "\"status\":\"creating\",\"pid\":%ld,\"bundle\":\"/\"}}",
                 claimed ? claimed : (long)child, id, claimed ? claimed : (long)child);
        json = state;
    }
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    strncpy(addr.sun_path, socket_path, sizeof(addr.sun_path) - 1);
    int fds[2] = {-1, -1};
    if (pipe_fd && pipe(fds) != 0) {
        return 2;
    }
    int sent = pipe_fd ? fds[0] : no_fd ? -1 : listener;
    if (connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        send_fd(sock, json, strlen(json), sent) != 0) {
        fprintf(stderr, "notify-run: cannot send to %s: %s\n", socket_path, strerror(errno));
    }
    close(sock);
    close(listener);
    if (write(sp[0], "g", 1) != 1) {
        return 2;
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
