#include "daemon/view_of.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "client/client.hpp"
#include "util/log.hpp"

namespace lensfs::daemon {

namespace {

constexpr int kLookupTimeoutMs = 500;

view::Container host_view(view::Engine& engine) {
    return engine.resolve_cgroup("/", 0);
}

// id: of a debugging mount beside the service: the service's registry, asked over its control
// socket, at most once a second.
std::function<view::Container(pid_t)> service_id_resolver(view::Engine& engine, std::string id,
                                                          std::string socket) {
    struct Cache {
        std::mutex mu;
        std::chrono::steady_clock::time_point fetched{};
        std::optional<Entry> entry;
    };
    auto cache = std::make_shared<Cache>();
    return [&engine, cache, id = std::move(id), socket = std::move(socket)](pid_t) {
        std::optional<Entry> entry;
        {
            std::lock_guard lock(cache->mu);
            auto now = std::chrono::steady_clock::now();
            if (now - cache->fetched > std::chrono::seconds(1)) {
                auto r = client::call(socket, Request{std::nullopt, GetRequest{id}},
                                      kLookupTimeoutMs);
                cache->entry = r && r->container ? r->container : std::nullopt;
                cache->fetched = now;
                if (!cache->entry) {
                    static RateLimit limit;
                    log_warn_limited(limit, "--view-of id:{}: {} has no such container, host view",
                                     id, socket);
                }
            }
            entry = cache->entry;
        }
        if (!entry) {
            return host_view(engine);
        }
        return engine.resolve_cgroup(entry->cgroup, entry->start_boottime_s);
    };
}

} // namespace

std::function<view::Container(pid_t)> view_of_resolver(const ViewOf& v, view::Engine& engine,
                                                       Registry& registry, bool serves_registry,
                                                       const std::string& socket) {
    switch (v.kind) {
    case ViewOf::Kind::pid:
        return [&engine, pid = v.pid](pid_t) {
            if (::kill(pid, 0) != 0 && errno == ESRCH) {
                static RateLimit limit;
                log_warn_limited(limit, "--view-of pid:{}: no such process, host view", pid);
                return host_view(engine);
            }
            return engine.resolve_pid(pid);
        };
    case ViewOf::Kind::cgroup:
        return [&engine, &registry, path = v.value](pid_t) {
            auto record = registry.longest_containing(path);
            double start = record && record->cgroup == path ? record->start_boottime_s : 0;
            return engine.resolve_cgroup(path, start);
        };
    case ViewOf::Kind::id:
        if (!serves_registry) {
            return service_id_resolver(engine, v.value, socket);
        }
        return [&engine, &registry, id = v.value](pid_t) {
            auto entry = registry.get(id);
            if (!entry) {
                static RateLimit limit;
                log_warn_limited(limit, "--view-of id:{}: not registered, host view", id);
                return host_view(engine);
            }
            return engine.resolve_cgroup(entry->cgroup, entry->start_boottime_s);
        };
    case ViewOf::Kind::none:
        break;
    }
    return {};
}

fuse::Containers containers_of(Registry& registry) {
    fuse::Containers c;
    c.by_slot = [&registry](std::uint64_t slot) { return registry.by_slot(slot); };
    c.by_id = [&registry](std::string_view id) -> std::optional<ContainerRecord> {
        auto entry = registry.get(id);
        return entry ? std::optional(entry->record()) : std::nullopt;
    };
    c.list = [&registry] {
        std::vector<ContainerRecord> out;
        for (const Entry& e : registry.list()) {
            out.push_back(e.record());
        }
        return out;
    };
    return c;
}

std::string mount_state_file(const Options& options, std::string_view name) {
    std::uint32_t h = 2166136261U; // FNV-1a of the mount point
    for (char c : options.mountpoint) {
        h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
    }
    return fmt::format("{}/{}-{:08x}", options.state_dir, name, h);
}

} // namespace lensfs::daemon
