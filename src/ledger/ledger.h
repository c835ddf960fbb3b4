#pragma once
// The audit ledger (SPEC §8): per tenant, an append-only chain of entries numbered 1, 2, … with
// no gaps, each carrying the hash of its predecessor (format: docs/LEDGER_FORMAT.md, entry.h).
//
// Overview. Services append inside the transaction that makes the state change, so a change and
// its entry commit or roll back together. The tenant's head (last seq and hash) lives in
// `ledger_heads`; Append reads it, writes seq = head + 1 and moves the head. Two appends for one
// tenant are serialised by the store: SQLite has a single writer; on PostgreSQL the head row is
// read with FOR UPDATE (see ReadHeadSql in ledger.cc), and the (tenant_id, seq) primary key makes
// a lost race a Conflict rather than a fork. Queries page by seq; Verify streams the chain and
// recomputes every hash.
//
// Thread-safety: free functions with no state; a Txn is used by one thread (store.h).

#include <cstdint>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ledger/entry.h"
#include "store/store.h"

namespace steward::ledger {

// Bounds of List's `limit`.
inline constexpr int kMinPageLimit = 1;
inline constexpr int kMaxPageLimit = 1000;

// What an entry is about. Empty strings mean "not applicable".
struct AppendRequest {
  std::string event_type;  // one of event_types.h; required
  std::string account_id;
  std::string trace_id;
  std::string action_intent_id;
  std::string actor;  // the principal (JWT sub) or a system actor such as "system"
};

// Appends one entry for `tenant_id` at `now_ms` with `data` (a JSON object) and returns it,
// hash included. The entry commits or rolls back with `txn`.
// Errors: InvalidArgument when tenant_id is empty, event_type is unknown (IsKnownEventType) or
// `data` is not an object; Conflict when a concurrent writer took the same seq (PostgreSQL
// without the head lock; the caller's transaction is then retried or failed); store errors.
// REQUIRES: txn.writable().
Result<Entry> Append(store::Txn& txn, std::string_view tenant_id, int64_t now_ms,
                     const AppendRequest& req, const nlohmann::json& data);

// Appends several entries in order, as consecutive seqs, reading and moving the head once.
// Same contract as Append for each event; all or none are written (the caller's transaction).
// An event's data is either a JSON object, canonicalised here, or text that already is the
// canonical JSON of an object (CanonicalWriter's, built where it costs the writer nothing).
struct AppendEvent {
  AppendEvent(const AppendRequest* req, const nlohmann::json* json) : request(req), data(json) {}
  static AppendEvent Canonical(const AppendRequest* req, const std::string* canonical) {
    AppendEvent e(req, nullptr);
    e.canonical_data = canonical;
    return e;
  }
  const AppendRequest* request;
  const nlohmann::json* data;
  const std::string* canonical_data = nullptr;
};
Result<std::vector<Entry>> AppendMany(store::Txn& txn, std::string_view tenant_id, int64_t now_ms,
                                      std::initializer_list<AppendEvent> events);
Result<std::vector<Entry>> AppendMany(store::Txn& txn, std::string_view tenant_id, int64_t now_ms,
                                      const std::vector<AppendEvent>& events);

struct Head {
  int64_t seq = 0;
  std::string hash;
};

// The tenant's last seq and hash, or nullopt before its first entry.
Result<std::optional<Head>> GetHead(store::Txn& txn, std::string_view tenant_id);

// Filters of List and ForEachEntry; empty strings and nullopt match everything.
struct Filter {
  std::string account_id;
  std::string event_type;
  std::string action_intent_id;
  std::string trace_id;
  std::optional<int64_t> from_ms;  // inclusive
  std::optional<int64_t> to_ms;    // inclusive
  bool newest_first = true;        // order by seq descending (default) or ascending
};

struct Page {
  std::vector<Entry> entries;
  std::string next_cursor;  // opaque; empty when there is nothing more
};

// One page of at most `limit` entries matching `filter`, ordered by seq in the filter's order.
// `cursor` is empty for the first page, else a next_cursor from a previous call with the same
// filter. Keyset pagination: entries appended meanwhile never shift pages (with newest_first
// they appear only on a fresh first page).
// Errors: InvalidArgument (field "limit") when limit is outside [kMinPageLimit, kMaxPageLimit];
// InvalidArgument (field "cursor") when the cursor is ill-formed or was issued for the other
// order.
Result<Page> List(store::Txn& txn, std::string_view tenant_id, const Filter& filter, int limit,
                  std::string_view cursor);

// Streams every entry matching `filter` to `fn` in the filter's order with bounded memory (for
// exports); `fn` returns false to stop early.
Status ForEachEntry(store::Txn& txn, std::string_view tenant_id, const Filter& filter,
                    const std::function<bool(const Entry&)>& fn);

// The seq range [first, last] of the tenant's entries stamped within [from_ms, to_ms] (either
// bound optional), or nullopt when none is.
Result<std::optional<std::pair<int64_t, int64_t>>> SeqRangeOf(store::Txn& txn,
                                                              std::string_view tenant_id,
                                                              std::optional<int64_t> from_ms,
                                                              std::optional<int64_t> to_ms);

// Export pages: up to `limit` entries with seq in (after_seq, last_seq] that match the filter's
// account_id and time bounds (other filter fields are ignored), ascending, along the primary
// key. `fn` returns false to stop.
Status ScanSeqRange(store::Txn& txn, std::string_view tenant_id, const Filter& filter,
                    int64_t after_seq, int64_t last_seq, int64_t limit,
                    const std::function<bool(const Entry&)>& fn);

// The entries of one intent, oldest first (the explanation timeline).
Result<std::vector<Entry>> ForIntent(store::Txn& txn, std::string_view tenant_id,
                                     std::string_view action_intent_id);

struct VerifyResult {
  bool ok = true;
  int64_t checked = 0;                      // entries examined, the broken one included
  std::optional<int64_t> first_broken_seq;  // set when !ok
  std::string reason;                       // why, when !ok
};

// Recomputes the tenant's chain in seq order, streaming (bounded memory): each entry's hash,
// its prev_hash against the predecessor's hash, and seq continuity (a missing seq is a break,
// reported as the missing seq). Without `from_ms` the chain must start at seq 1 from 64 zeros;
// with it, the first entry at or after from_ms anchors the check (its prev_hash is taken as
// given). The range covers the seqs from the first entry with ts >= from_ms to the last with
// ts <= to_ms, so clock skew between nodes cannot fake a gap. Without `to_ms` the last entry
// must also match the tenant's head (catching a truncated chain). Stops at the first break.
// A broken chain is a value (ok = false), not an error; errors are store failures only.
Result<VerifyResult> Verify(store::Txn& txn, std::string_view tenant_id,
                            std::optional<int64_t> from_ms, std::optional<int64_t> to_ms);

}  // namespace steward::ledger
