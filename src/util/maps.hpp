#pragma once

#include <cstddef>
#include <unordered_map>

namespace lensfs {

/// Gives back the bucket array of @p map when it has become much larger than the map (an
/// unordered map never shrinks it on its own): after a burst of short-lived entries, such as
/// a thousand containers come and gone, a cache's memory follows what it still holds.
template <typename Map> void shrink_buckets(Map& map) {
    if (map.bucket_count() > 4 * (map.size() + 8)) {
        map.rehash(0);
    }
}

/// std::erase_if, then shrink_buckets(); returns how many entries were erased.
template <typename Map, typename Pred> std::size_t erase_and_shrink(Map& map, Pred&& pred) {
    std::size_t erased = std::erase_if(map, pred);
    shrink_buckets(map);
    return erased;
}

} // namespace lensfs
