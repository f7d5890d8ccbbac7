/*
 * lensfs hook library: tells the lensfs daemon when a container starts and stops.
 *
 * A container runtime calls lensfs_register() once the container's init process exists and
 * lensfs_unregister() after the container is gone. The daemon then answers reads of
 * /proc/uptime (and the figures derived from it) from the registered start time, and treats
 * the registered cgroup as the container's boundary. See lensfs-hook(3).
 *
 * Every function:
 *   - returns 0 on success or a negative errno value (listed with each function);
 *   - is thread-safe: each call uses its own connection and no shared state;
 *   - never throws, aborts, prints, or raises SIGPIPE;
 *   - takes socket_path (NULL or "" for the environment variable LENSFS_SOCKET, or when
 *     that is unset or empty, LENSFS_HOOK_DEFAULT_SOCKET) and timeout_ms (the most the call
 *     may take, in milliseconds; 0 for LENSFS_HOOK_DEFAULT_TIMEOUT_MS; negative is -EINVAL).
 *
 * Build with: pkg-config --cflags --libs lensfs-hook
 */
#ifndef LENSFS_HOOK_H
#define LENSFS_HOOK_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
/** Marks the functions noexcept for C++ callers; expands to nothing in C. */
#define LENSFS_HOOK_NOEXCEPT noexcept
extern "C" {
#else
#define LENSFS_HOOK_NOEXCEPT
#endif

/** The daemon's control socket when neither socket_path nor LENSFS_SOCKET names one. */
#define LENSFS_HOOK_DEFAULT_SOCKET "/run/lensfs/lensfs.sock"
/** The environment variable consulted when socket_path is NULL or empty. */
#define LENSFS_HOOK_SOCKET_ENV "LENSFS_SOCKET"
/** The timeout used when timeout_ms is 0. */
#define LENSFS_HOOK_DEFAULT_TIMEOUT_MS 5000

/**
 * @brief Checks that the daemon is running and answering.
 *
 * @param socket_path the control socket, or NULL for the default (see above)
 * @param timeout_ms  the most the call may take; 0 for the default
 * @return 0 when the daemon answered;
 *         -ENOENT when the socket does not exist (the daemon is not running);
 *         -ECONNREFUSED when nothing listens on it (a stale socket);
 *         -EACCES when the caller may not use the socket (it is root only by default);
 *         -ETIMEDOUT when the daemon did not answer within timeout_ms;
 *         -ENAMETOOLONG when socket_path does not fit a socket address;
 *         -EINVAL when timeout_ms is negative;
 *         -EPROTO when the answer was not a valid response;
 *         -ENOMEM when memory ran out; another negative errno for other socket failures.
 */
int lensfs_ping(const char *socket_path, int timeout_ms) LENSFS_HOOK_NOEXCEPT;

/**
 * @brief Registers a container, or updates the registration of the same id.
 *
 * Registering an id again replaces its entry, so a runtime may retry freely.
 *
 * @param id                the container id: 1 to 128 characters of A-Z a-z 0-9 _ . -
 * @param cgroup            the container's cgroup path as /proc/PID/cgroup shows it
 *                          (absolute, e.g. "/machine/c1"), or NULL / "" to let the daemon
 *                          read it from /proc/PID/cgroup of @p pid
 * @param pid               the container's init process as the daemon sees it (the host's
 *                          pid namespace), or 0 for none. At least one of cgroup and pid
 *                          is required.
 * @param start_boottime    when the container started, in seconds of CLOCK_BOOTTIME; 0 for
 *                          the default: the start time of @p pid when given, else now
 * @param annotation_keys   @p annotation_count keys (non-NULL strings, distinct), or NULL
 *                          when @p annotation_count is 0
 * @param annotation_values the matching values, or NULL when @p annotation_count is 0
 * @param annotation_count  at most 64; keys of 1 to 256 bytes, values of at most 4096
 * @param socket_path       the control socket, or NULL for the default
 * @param timeout_ms        the most the call may take; 0 for the default
 * @return 0 when the daemon stored the entry; the errors of lensfs_ping(), and
 *         -EINVAL for an invalid argument (checked before connecting) or an entry the
 *                 daemon refused (for example, @p pid is not running);
 *         -E2BIG when the id (over 128 characters), the cgroup path (over 4096 bytes) or
 *                the annotations exceed their limits;
 *         -EAGAIN when the daemon is busy or its registry is full: retry later;
 *         -EIO when the daemon failed (for example, it could not save its state).
 */
int lensfs_register(const char *id, const char *cgroup, pid_t pid, double start_boottime,
                    const char *const *annotation_keys, const char *const *annotation_values,
                    size_t annotation_count, const char *socket_path,
                    int timeout_ms) LENSFS_HOOK_NOEXCEPT;

/**
 * @brief Removes a container's registration.
 *
 * @param id          the id given to lensfs_register()
 * @param socket_path the control socket, or NULL for the default
 * @param timeout_ms  the most the call may take; 0 for the default
 * @return 0 when the entry was removed; the errors of lensfs_ping(), and
 *         -ESRCH when no container has that id (never registered, or already removed);
 *         -EINVAL when @p id is not a valid container id (-E2BIG when it is too long);
 *         -EIO when the daemon failed.
 */
int lensfs_unregister(const char *id, const char *socket_path,
                      int timeout_ms) LENSFS_HOOK_NOEXCEPT;

/**
 * @brief Describes the last failure of a lensfs_* call in the calling thread.
 *
 * For example "lensfs at /run/lensfs/lensfs.sock: connect: No such file or directory", or
 * the daemon's own explanation of why it refused a request. Meant for a log line.
 *
 * @return a NUL-terminated string owned by the library, valid until the calling thread
 *         next calls lensfs_ping(), lensfs_register() or lensfs_unregister(); "" when that
 *         thread's last such call succeeded or there was none. Never NULL.
 */
const char *lensfs_last_error(void) LENSFS_HOOK_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* LENSFS_HOOK_H */
