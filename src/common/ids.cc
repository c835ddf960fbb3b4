#include "common/ids.h"

#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace steward {
namespace {
constexpr size_t kMaxIdLength = 128;
constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

bool IsIdChar(char c, bool first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  if (first) return false;
  return c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
}

// Randomness for ids, drawn from RAND_bytes a block at a time: one call per id cost about a
// microsecond (the DRBG's locking and parameter lookups), and the ledger alone makes three ids per
// created intent on the single writer thread. Each byte is handed out once. A forked child drops
// what its parent had buffered (the generation moves in the child), so parent and child never
// hand out the same bytes.
std::atomic<uint64_t> fork_generation{0};

void BumpForkGeneration() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

struct RandomPool {
  static constexpr size_t kBlock = 1024;
  unsigned char buf[kBlock];
  size_t used = kBlock;
  uint64_t generation = 0;

  // False only when the OS entropy source is broken.
  bool Take(unsigned char* out, size_t n) {
    static const bool registered = [] {
      return pthread_atfork(nullptr, nullptr, &BumpForkGeneration) == 0;
    }();
    (void)registered;
    uint64_t gen = fork_generation.load(std::memory_order_relaxed);
    if (used + n > kBlock || generation != gen) {
      if (RAND_bytes(buf, static_cast<int>(kBlock)) != 1) return false;
      used = 0;
      generation = gen;
    }
    std::memcpy(out, buf + used, n);
    std::memset(buf + used, 0, n);
    used += n;
    return true;
  }
};
}  // namespace

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (!IsIdChar(id[i], i == 0)) return false;
  }
  return true;
}

Status ValidateId(std::string_view id, std::string_view field) {
  if (id.empty())
    return Status::InvalidArgument(std::string(field) + " is required", std::string(field));
  if (!IsValidId(id)) {
    return Status::InvalidArgument(
        std::string(field) + " must match [A-Za-z0-9][A-Za-z0-9._:@-]{0,127}", std::string(field));
  }
  return Status::Ok();
}

std::string NewUlid(int64_t now_ms) {
  unsigned char rnd[10];
  thread_local RandomPool pool;
  if (!pool.Take(rnd, sizeof(rnd))) {
    // RAND_bytes only fails when the OS entropy source is broken; fall back to the address of a
    // stack variable mixed with time so ids stay unique within this process.
    uint64_t x =
        reinterpret_cast<uintptr_t>(&rnd) ^ static_cast<uint64_t>(now_ms) * 0x9E3779B97F4A7C15ULL;
    for (auto& b : rnd) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b = static_cast<unsigned char>(x);
    }
  }
  std::string out(26, '0');
  uint64_t t = static_cast<uint64_t>(now_ms) & 0xFFFFFFFFFFFFULL;  // 48 bits
  for (int i = 9; i >= 0; --i) {
    out[i] = kCrockford[t & 31];
    t >>= 5;
  }
  // 80 random bits -> 16 characters.
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 2; ++i) hi = (hi << 8) | rnd[i];
  for (int i = 2; i < 10; ++i) lo = (lo << 8) | rnd[i];
  for (int i = 25; i >= 10; --i) {
    out[i] = kCrockford[lo & 31];
    lo = (lo >> 5) | ((hi & 31) << 59);
    hi >>= 5;
  }
  return out;
}

std::string NewId(std::string_view prefix, int64_t now_ms) {
  std::string id(prefix);
  id += NewUlid(now_ms);
  return id;
}

}  // namespace steward
