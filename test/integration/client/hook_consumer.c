/*
 * A consumer of liblensfs-hook written in plain C11: it must compile with
 * -std=c11 -pedantic -Werror -Wall -Wextra against lensfs/hook.h alone (no POSIX feature
 * macros) and link against the library. Run by c_abi.sh and live.sh:
 *
 *   hook_consumer down SOCKET ERRNO_NAME   every call fails with -ERRNO_NAME
 *   hook_consumer expect SOCKET ERRNO_NAME [TIMEOUT_MS]
 *                                          lensfs_ping() gives -ERRNO_NAME (OK for 0)
 *   hook_consumer args                     bad arguments are refused before connecting
 *   hook_consumer env ERRNO_NAME           socket_path NULL uses $LENSFS_SOCKET
 *   hook_consumer live SOCKET CGROUP PID   register / unregister against a running daemon
 *
 * Prints one line per check; exits 1 when any check failed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include <lensfs/hook.h>

static int failures = 0;
static int checks = 0;

static void expect_rc(const char *what, int expected, int actual) {
    ++checks;
    if (expected == actual) {
        printf("ok: %s (%d)\n", what, actual);
    } else {
        ++failures;
        printf("FAIL: %s: expected %d, got %d (%s)\n", what, expected, actual,
               lensfs_last_error());
    }
}

static void expect_text(const char *what, const char *needle) {
    const char *text = lensfs_last_error();
    ++checks;
    if (text != NULL && strstr(text, needle) != NULL) {
        printf("ok: %s ('%s')\n", what, text);
    } else {
        ++failures;
        printf("FAIL: %s: '%s' does not contain '%s'\n", what, text ? text : "(null)", needle);
    }
}

static int errno_named(const char *name) {
    static const struct {
        const char *name;
        int value;
    } known[] = {{"OK", 0},           {"ENOENT", ENOENT},       {"ECONNREFUSED", ECONNREFUSED},
                 {"EACCES", EACCES},  {"ETIMEDOUT", ETIMEDOUT}, {"EPROTO", EPROTO},
                 {"ESRCH", ESRCH},    {"EAGAIN", EAGAIN},       {"ECONNRESET", ECONNRESET}};
    size_t i;
    for (i = 0; i < sizeof(known) / sizeof(known[0]); ++i) {
        if (strcmp(known[i].name, name) == 0) {
            return known[i].value;
        }
    }
    fprintf(stderr, "unknown errno name %s\n", name);
    exit(2);
}

static void run_down(const char *socket, int err) {
    expect_rc("ping a daemon that is down", -err, lensfs_ping(socket, 1000));
    expect_text("the last error names the socket", socket);
    expect_rc("register with a daemon that is down", -err,
              lensfs_register("c-abi", "/lensfs-test-c-abi", 0, 0, NULL, NULL, 0, socket, 1000));
    expect_rc("unregister with a daemon that is down", -err,
              lensfs_unregister("c-abi", socket, 0));
}

static void run_args(void) {
    /* A socket that does not exist: a check that wrongly passes shows up as -ENOENT. */
    const char *s = "/nonexistent/lensfs-c-abi.sock";
    static char names[65][8];
    const char *keys[65];
    const char *values[65];
    const char *dup_keys[2] = {"k", "k"};
    char long_id[130];
    char long_socket[200];
    int i;
    for (i = 0; i < 65; ++i) {
        sprintf(names[i], "k%d", i);
        keys[i] = names[i];
        values[i] = "v";
    }
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    memset(long_socket, 's', sizeof(long_socket) - 1);
    long_socket[0] = '/';
    long_socket[sizeof(long_socket) - 1] = '\0';

    expect_rc("NULL id", -EINVAL, lensfs_register(NULL, "/a", 0, 0, NULL, NULL, 0, s, 0));
    expect_rc("id with a space", -EINVAL, lensfs_register("a b", "/a", 0, 0, NULL, NULL, 0, s, 0));
    expect_text("the last error says why", "container id");
    expect_rc("id over 128 characters", -E2BIG,
              lensfs_register(long_id, "/a", 0, 0, NULL, NULL, 0, s, 0));
    expect_rc("neither cgroup nor pid", -EINVAL,
              lensfs_register("a", NULL, 0, 0, NULL, NULL, 0, s, 0));
    expect_rc("empty cgroup and no pid", -EINVAL,
              lensfs_register("a", "", 0, 0, NULL, NULL, 0, s, 0));
    expect_rc("relative cgroup", -EINVAL,
              lensfs_register("a", "rel/path", 0, 0, NULL, NULL, 0, s, 0));
    expect_rc("cgroup with ..", -EINVAL,
              lensfs_register("a", "/a/../b", 0, 0, NULL, NULL, 0, s, 0));
    expect_rc("negative pid", -EINVAL, lensfs_register("a", NULL, -5, 0, NULL, NULL, 0, s, 0));
    expect_rc("negative start time", -EINVAL,
              lensfs_register("a", "/a", 0, -1.0, NULL, NULL, 0, s, 0));
    expect_rc("NaN start time", -EINVAL, lensfs_register("a", "/a", 0, NAN, NULL, NULL, 0, s, 0));
    expect_rc("infinite start time", -EINVAL,
              lensfs_register("a", "/a", 0, INFINITY, NULL, NULL, 0, s, 0));
    expect_rc("annotations without arrays", -EINVAL,
              lensfs_register("a", "/a", 0, 0, NULL, NULL, 1, s, 0));
    expect_rc("a duplicate annotation key", -EINVAL,
              lensfs_register("a", "/a", 0, 0, dup_keys, values, 2, s, 0));
    expect_rc("65 annotations", -E2BIG, lensfs_register("a", "/a", 0, 0, keys, values, 65, s, 0));
    expect_rc("negative timeout", -EINVAL,
              lensfs_register("a", "/a", 0, 0, NULL, NULL, 0, s, -1));
    expect_rc("unregister NULL", -EINVAL, lensfs_unregister(NULL, s, 0));
    expect_rc("unregister a bad id", -EINVAL, lensfs_unregister("a/b", s, 0));
    expect_rc("ping with a negative timeout", -EINVAL, lensfs_ping(s, -1));
    expect_rc("a socket path too long for an address", -ENAMETOOLONG,
              lensfs_ping(long_socket, 0));
    /* Valid arguments reach the (missing) socket. */
    expect_rc("valid arguments get as far as connecting", -ENOENT,
              lensfs_register("a", "/a", 0, 12.5, keys, values, 64, s, 0));
    expect_text("the last error names the socket", s);
}

static const char *live_socket;

static int churn(void *arg) {
    char id[32];
    int i;
    int bad = 0;
    sprintf(id, "c-abi-thread-%d", *(int *)arg);
    for (i = 0; i < 25; ++i) {
        bad += lensfs_register(id, "/lensfs-test-c-abi-thread", 0, 1.0, NULL, NULL, 0,
                               live_socket, 5000) != 0;
        bad += lensfs_unregister(id, live_socket, 5000) != 0;
    }
    return bad;
}

static void run_threads(void) {
    thrd_t threads[8];
    int index[8];
    int i;
    int bad = 0;
    for (i = 0; i < 8; ++i) {
        index[i] = i;
        if (thrd_create(&threads[i], churn, &index[i]) != thrd_success) {
            expect_rc("thrd_create", 0, -1);
            return;
        }
    }
    for (i = 0; i < 8; ++i) {
        int result = 0;
        thrd_join(threads[i], &result);
        bad += result;
    }
    expect_rc("8 threads register and unregister 25 times each", 0, bad);
}

static void run_live(const char *socket, const char *cgroup, const char *pid_text) {
    const char *keys[2] = {"org.example.team", "org.example.tier"};
    const char *values[2] = {"storage", "gold"};
    int pid = atoi(pid_text);
    live_socket = socket;
    expect_rc("ping", 0, lensfs_ping(socket, 0));
    ++checks;
    if (lensfs_last_error()[0] == '\0') {
        printf("ok: a success clears the last error\n");
    } else {
        ++failures;
        printf("FAIL: the last error after a success is '%s'\n", lensfs_last_error());
    }
    expect_rc("register by cgroup", 0,
              lensfs_register("c-abi-cgroup", cgroup, 0, 0, keys, values, 2, socket, 0));
    expect_rc("register the same id again", 0,
              lensfs_register("c-abi-cgroup", cgroup, 0, 0, keys, values, 2, socket, 0));
    expect_rc("register by pid", 0,
              lensfs_register("c-abi-pid", NULL, pid, 0, NULL, NULL, 0, socket, 0));
    expect_rc("unregister", 0, lensfs_unregister("c-abi-cgroup", socket, 0));
    expect_rc("unregister again", -ESRCH, lensfs_unregister("c-abi-cgroup", socket, 0));
    expect_text("the last error is the daemon's", "c-abi-cgroup");
    run_threads();
    /* c-abi-pid stays registered: live.sh checks it with lensctl, then removes it. */
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "down") == 0) {
        run_down(argv[2], errno_named(argv[3]));
    } else if (argc >= 4 && strcmp(argv[1], "expect") == 0) {
        int timeout = argc >= 5 ? atoi(argv[4]) : 2000;
        expect_rc(argv[3], -errno_named(argv[3]), lensfs_ping(argv[2], timeout));
    } else if (argc >= 2 && strcmp(argv[1], "args") == 0) {
        run_args();
    } else if (argc >= 3 && strcmp(argv[1], "env") == 0) {
        int err = errno_named(argv[2]);
        expect_rc("NULL socket_path uses LENSFS_SOCKET", -err, lensfs_ping(NULL, 0));
        expect_text("the last error names $LENSFS_SOCKET", "lensfs-c-abi-env");
        expect_rc("\"\" socket_path uses LENSFS_SOCKET", -err, lensfs_ping("", 0));
    } else if (argc >= 5 && strcmp(argv[1], "live") == 0) {
        run_live(argv[2], argv[3], argv[4]);
    } else {
        fprintf(stderr, "usage: %s down SOCKET ERRNO | expect SOCKET ERRNO [MS] | args | "
                        "env ERRNO | live SOCKET CGROUP PID\n",
                argv[0]);
        return 2;
    }
    printf("# %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
