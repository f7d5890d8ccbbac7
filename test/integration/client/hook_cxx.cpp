// The hook header seen from C++: it compiles as C++20, and every function is noexcept there.
#include <lensfs/hook.h>

static_assert(noexcept(lensfs_ping(nullptr, 0)));
static_assert(noexcept(lensfs_register(nullptr, nullptr, 0, 0, nullptr, nullptr, 0, nullptr, 0)));
static_assert(noexcept(lensfs_unregister(nullptr, nullptr, 0)));
static_assert(noexcept(lensfs_last_error()));

int main() {
    return lensfs_last_error()[0] == '\0' ? 0 : 1;
}
