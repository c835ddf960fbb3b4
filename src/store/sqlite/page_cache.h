#pragma once
// A page cache over SQLite's default one (pcache1) that spares it a needless scan at every commit.
//
// At the end of each write transaction SQLite truncates its page cache to the database's size,
// and pcache1 removes the pages past it by walking the hash buckets from that size to the
// largest page number it has ever held (its iMaxKey) — or its whole hash table when that range
// is as long as the table. The B-tree's balance (SQLite 3.40, btree.c balance_nonroot) swaps two
// pages' numbers through a temporary number, the lock-byte page's (1 GiB / page size + 1), and
// pcache1 keeps that number as its iMaxKey. So in a database under 1 GiB nearly every commit
// walked the writer's whole hash table (8,192 buckets with a 32 MiB cache): about 5 % of the
// writer thread's CPU per created intent, measured with perf.
//
// This cache passes every call to pcache1 and only keeps, per cache, an upper bound of the page
// numbers it can hold: the largest number a fetch returned, plus the few numbers pages were moved
// to (a moved-to number leaves the set when the page moves on, as the balance's temporary number
// does at once). A truncation to N is passed on only when that bound reaches N; otherwise no
// cached page is at or past N and there is nothing to drop. Everything else — what is cached,
// evicted, pinned — is pcache1's.

#include <cstdint>

namespace steward::store {

// Installs the cache (once per process). Must run before SQLite initialises (before the first
// connection); false when SQLite was already initialised, in which case its default cache stays.
bool InstallPageCache();

// Truncations passed on to pcache1 and truncations skipped since start-up (for tests).
struct PageCacheCounts {
  int64_t passed = 0;
  int64_t skipped = 0;
};
PageCacheCounts PageCacheStats();

}  // namespace steward::store
