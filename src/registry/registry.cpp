#include "registry/registry.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>

#include "model/boundary.hpp"
#include "registry/state_file.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace lensfs {

namespace {

constexpr std::size_t kDroppedListed = 5;

// Renames @p path to <path>.corrupt-<unix-seconds>[-N] without replacing an earlier copy.
Result<std::string> rename_aside(const std::string& path) {
    std::string base = fmt::format("{}.corrupt-{}", path, std::time(nullptr));
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::string target = attempt == 0 ? base : fmt::format("{}-{}", base, attempt);
        if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
            return target;
        }
        if (errno != EEXIST) {
            return make_error(errno, target);
        }
    }
    return make_error(EEXIST, base);
}

std::string join_dropped(const std::vector<std::string>& dropped) {
    std::string out;
    for (std::size_t i = 0; i < dropped.size() && i < kDroppedListed; ++i) {
        out += (i == 0 ? "" : "; ") + dropped[i];
    }
    if (dropped.size() > kDroppedListed) {
        out += fmt::format("; and {} more", dropped.size() - kDroppedListed);
    }
    return out;
}

} // namespace

Registry::Registry(std::string state_dir) : path_(std::move(state_dir) + "/registry.json") {}

Registry::Table Registry::make_table(EntryMap entries) {
    Table table;
    for (const auto& [id, entry] : entries) {
        auto [it, fresh] = table.id_by_cgroup.try_emplace(entry.cgroup, id);
        if (!fresh && owns_before(entry, entries.find(it->second)->second)) {
            it->second = id;
        }
    }
    for (const auto& [id, entry] : entries) {
        table.id_by_slot.emplace(entry.slot, id);
    }
    table.by_id = std::move(entries);
    return table;
}

bool Registry::assign_slots(EntryMap& entries) {
    for (auto& [id, entry] : entries) {
        if (entry.slot != 0) {
            continue;
        }
        if (next_slot_ > kMaxSlot) {
            return false;
        }
        entry.slot = next_slot_++;
    }
    return true;
}

void Registry::install(EntryMap entries) {
    Table next = make_table(std::move(entries));
    {
        std::unique_lock lock(mu_);
        std::swap(table_, next);
    }
    // The old table is freed here, outside the lock.
}

Status Registry::persist(const EntryMap& entries) const {
    std::string text = encode_state(entries, next_slot_);
    if (text.size() > kMaxStateBytes) {
        return Error{ENOSPC, fmt::format("registry state would exceed {} bytes", kMaxStateBytes)};
    }
    // Recreate the directory if someone removed it; write_file_atomic reports any real error.
    std::string dir = path_.substr(0, path_.rfind('/'));
    if (!dir.empty()) {
        ::mkdir(dir.c_str(), 0700);
    }
    return write_file_atomic(path_, text, 0600);
}

Status Registry::commit(EntryMap next) {
    Status st = persist(next);
    if (st) {
        install(std::move(next));
    }
    return st;
}

Error Registry::set_aside(std::string_view why, std::string_view outcome) {
    auto moved = rename_aside(path_);
    std::string where = moved
                            ? fmt::format("kept as {}", *moved)
                            : fmt::format("could not be moved aside ({})", moved.error().message());
    return Error{EBADMSG, fmt::format("registry state {} is corrupt: {}; {}; {}", path_, why, where,
                                      outcome)};
}

Status Registry::load() {
    std::lock_guard writer(write_mu_);
    // The table is replaced in one step: readers never see it empty during a reload.
    auto text = read_file(path_, kMaxStateBytes);
    if (!text && text.error().code == ENOENT) {
        install({});
        return Ok{};
    }
    if (!text && text.error().code != EFBIG) {
        install({});
        return Error{
            text.error().code,
            fmt::format("registry state {} cannot be read; starting with no containers", path_)};
    }
    if (!text) {
        install({});
        return set_aside(fmt::format("larger than {} bytes", kMaxStateBytes),
                         "starting with no containers");
    }
    auto decoded = decode_state(*text);
    if (!decoded) {
        install({});
        return set_aside(decoded.error().context, "starting with no containers");
    }
    EntryMap entries;
    bool unnumbered = false;
    for (Entry& e : decoded->entries) {
        unnumbered = unnumbered || e.slot == 0;
        std::string id = e.id;
        entries.emplace(std::move(id), std::move(e));
    }
    next_slot_ = std::max(next_slot_, decoded->next_slot);
    if (!assign_slots(entries)) {
        install({});
        return set_aside("no registry slots left", "starting with no containers");
    }
    install(entries);
    if (decoded->dropped.empty()) {
        if (unnumbered) {
            if (Status st = persist(entries); !st) {
                return Error{st.error().code, fmt::format("registry state {}: cannot save "
                                                          "the new slots: {}",
                                                          path_, st.error().message())};
            }
        }
        return Ok{};
    }
    Error err = set_aside(join_dropped(decoded->dropped),
                          fmt::format("loaded the other {} containers", entries.size()));
    if (Status st = persist(entries); !st) {
        err.context += fmt::format("; rewriting the state failed: {}", st.error().message());
    }
    return err;
}

Status Registry::upsert(Entry entry) {
    if (Status st = validate_entry(entry); !st) {
        return st;
    }
    std::lock_guard writer(write_mu_);
    auto old = table_.by_id.find(entry.id);
    entry.slot = old != table_.by_id.end() ? old->second.slot : 0;
    if (old != table_.by_id.end() && old->second == entry) {
        return Ok{}; // already on disk exactly like this
    }
    if (old == table_.by_id.end() && table_.by_id.size() >= kMaxEntries) {
        return Error{ENOSPC, fmt::format("registry is full ({} containers)", kMaxEntries)};
    }
    std::uint64_t slot_before = next_slot_;
    if (entry.slot == 0) {
        if (next_slot_ > kMaxSlot) {
            return Error{ENOSPC, "registry slots are used up; restart the host"};
        }
        entry.slot = next_slot_++;
    }
    EntryMap next = table_.by_id;
    std::string id = entry.id;
    next.insert_or_assign(std::move(id), std::move(entry));
    Status st = commit(std::move(next));
    if (!st) {
        next_slot_ = slot_before; // nothing changed: the slot was not given
    }
    return st;
}

Status Registry::remove(std::string_view id) {
    std::lock_guard writer(write_mu_);
    if (table_.by_id.find(id) == table_.by_id.end()) {
        return Error{ENOENT, fmt::format("no container with id {}", quoted_excerpt(id))};
    }
    EntryMap next = table_.by_id;
    next.erase(next.find(id));
    return commit(std::move(next));
}

std::optional<Entry> Registry::get(std::string_view id) const {
    std::shared_lock lock(mu_);
    auto it = table_.by_id.find(id);
    if (it == table_.by_id.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::vector<Entry> Registry::list() const {
    std::shared_lock lock(mu_);
    std::vector<Entry> out;
    out.reserve(table_.by_id.size());
    for (const auto& [id, entry] : table_.by_id) {
        out.push_back(entry);
    }
    return out;
}

std::size_t Registry::size() const {
    std::shared_lock lock(mu_);
    return table_.by_id.size();
}

std::optional<ContainerRecord> Registry::by_slot(std::uint64_t slot) const {
    std::shared_lock lock(mu_);
    auto it = table_.id_by_slot.find(slot);
    if (it == table_.id_by_slot.end()) {
        return std::nullopt;
    }
    return table_.by_id.find(it->second)->second.record();
}

std::optional<ContainerRecord> Registry::longest_containing(std::string_view cgroup) const {
    std::shared_lock lock(mu_);
    const auto& index = table_.id_by_cgroup;
    std::string_view prefix = cgroup;
    while (!prefix.empty()) {
        if (auto it = index.find(prefix); it != index.end()) {
            return table_.by_id.find(it->second)->second.record();
        }
        auto slash = prefix.rfind('/');
        if (slash == std::string_view::npos || prefix == "/") {
            break;
        }
        prefix = slash == 0 ? std::string_view("/") : prefix.substr(0, slash);
    }
    return std::nullopt;
}

std::size_t Registry::prune(const std::function<bool(const Entry&)>& is_gone) {
    std::lock_guard writer(write_mu_);
    EntryMap next;
    std::size_t dropped = 0;
    for (const auto& [id, entry] : table_.by_id) {
        if (is_gone(entry)) {
            ++dropped;
        } else {
            next.emplace(id, entry);
        }
    }
    if (dropped == 0) {
        return 0;
    }
    if (Status st = persist(next); !st) {
        log_error("registry: pruned {} containers but could not save the state: {}", dropped,
                  st.error().message());
    }
    install(std::move(next));
    return dropped;
}

} // namespace lensfs
