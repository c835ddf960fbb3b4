#include "store/sqlite/page_cache.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <new>

namespace steward::store {
namespace {

// Moved-to page numbers tracked one by one; past this many they are folded into max_key.
constexpr int kMaxMoved = 8;

struct Cache {
  sqlite3_pcache* real = nullptr;
  // Every page number the real cache can hold is at most max_key or in moved[0..n_moved).
  unsigned max_key = 0;
  unsigned moved[kMaxMoved] = {};
  int n_moved = 0;
};

sqlite3_pcache_methods2 g_real;
sqlite3_pcache_methods2 g_methods;
std::atomic<int64_t> g_passed{0};
std::atomic<int64_t> g_skipped{0};

Cache* Of(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

int Init(void*) { return g_real.xInit ? g_real.xInit(g_real.pArg) : SQLITE_OK; }
void Shutdown(void*) {
  if (g_real.xShutdown) g_real.xShutdown(g_real.pArg);
}

sqlite3_pcache* Create(int page_size, int extra_size, int purgeable) {
  Cache* c = new (std::nothrow) Cache();
  if (!c) return nullptr;
  c->real = g_real.xCreate(page_size, extra_size, purgeable);
  if (!c->real) {
    delete c;
    return nullptr;
  }
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void Cachesize(sqlite3_pcache* p, int n) { g_real.xCachesize(Of(p)->real, n); }
int Pagecount(sqlite3_pcache* p) { return g_real.xPagecount(Of(p)->real); }

sqlite3_pcache_page* Fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache* c = Of(p);
  sqlite3_pcache_page* page = g_real.xFetch(c->real, key, create);
  if (page && key > c->max_key) c->max_key = key;
  return page;
}

void Unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  g_real.xUnpin(Of(p)->real, page, discard);
}

void Rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = Of(p);
  g_real.xRekey(c->real, page, old_key, new_key);
  for (int i = 0; i < c->n_moved; ++i) {
    if (c->moved[i] == old_key) {  // the page that was moved there has moved on
      c->moved[i] = c->moved[--c->n_moved];
      break;
    }
  }
  if (new_key <= c->max_key) return;
  if (c->n_moved == kMaxMoved) {
    for (int i = 0; i < c->n_moved; ++i) c->max_key = std::max(c->max_key, c->moved[i]);
    c->n_moved = 0;
    if (new_key <= c->max_key) return;
  }
  c->moved[c->n_moved++] = new_key;
}

void Truncate(sqlite3_pcache* p, unsigned limit) {
  Cache* c = Of(p);
  unsigned highest = c->max_key;
  for (int i = 0; i < c->n_moved; ++i) highest = std::max(highest, c->moved[i]);
  if (highest < limit) {  // no cached page is numbered `limit` or more
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_passed.fetch_add(1, std::memory_order_relaxed);
  g_real.xTruncate(c->real, limit);
  // Pages numbered `limit` and up are gone.
  c->max_key = std::min(c->max_key, limit == 0 ? 0 : limit - 1);
  for (int i = 0; i < c->n_moved;) {
    if (c->moved[i] >= limit) {
      c->moved[i] = c->moved[--c->n_moved];
    } else {
      ++i;
    }
  }
}

void Destroy(sqlite3_pcache* p) {
  Cache* c = Of(p);
  g_real.xDestroy(c->real);
  delete c;
}

void Shrink(sqlite3_pcache* p) {
  if (g_real.xShrink) g_real.xShrink(Of(p)->real);
}

}  // namespace

bool InstallPageCache() {
  static std::once_flag once;
  static bool installed = false;
  std::call_once(once, [] {
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &g_real) != SQLITE_OK) return;
    if (!g_real.xCreate || !g_real.xFetch || !g_real.xTruncate || !g_real.xRekey) return;
    g_methods = sqlite3_pcache_methods2{};
    g_methods.iVersion = 1;  // xShrink is the only version-2 method; it is forwarded when present
    if (g_real.iVersion >= 2) g_methods.iVersion = 2;
    g_methods.pArg = nullptr;
    g_methods.xInit = Init;
    g_methods.xShutdown = Shutdown;
    g_methods.xCreate = Create;
    g_methods.xCachesize = Cachesize;
    g_methods.xPagecount = Pagecount;
    g_methods.xFetch = Fetch;
    g_methods.xUnpin = Unpin;
    g_methods.xRekey = Rekey;
    g_methods.xTruncate = Truncate;
    g_methods.xDestroy = Destroy;
    g_methods.xShrink = g_real.iVersion >= 2 ? Shrink : nullptr;
    installed = sqlite3_config(SQLITE_CONFIG_PCACHE2, &g_methods) == SQLITE_OK;
  });
  return installed;
}

PageCacheCounts PageCacheStats() {
  return {g_passed.load(std::memory_order_relaxed), g_skipped.load(std::memory_order_relaxed)};
}

}  // namespace steward::store
