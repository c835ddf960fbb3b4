#pragma once
// One ledger entry and its hash: the format of docs/LEDGER_FORMAT.md, in code. The online
// verifier (ledger::Verify) and the offline one (`steward ledger verify FILE`) both hash with
// EntryHash, so the two can never disagree.
//
// Pure functions of their arguments; thread-safe.

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace steward::ledger {

// prev_hash of a tenant's first entry (seq 1): 64 zeros.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Column order of the CSV audit export (SPEC §9).
inline constexpr std::array<std::string_view, 12> kCsvColumns = {
    "timestamp",        "event_type", "entry_id", "tenant_id", "account_id", "trace_id",
    "action_intent_id", "actor",      "data",     "seq",       "prev_hash",  "hash"};

struct Entry {
  std::string tenant_id;
  int64_t seq = 0;  // 1, 2, … per tenant, no gaps
  std::string entry_id;
  int64_t ts_ms = 0;  // milliseconds since the epoch, UTC
  std::string event_type;
  // Optional ids: empty when not applicable (NULL in the table, null in the API shape, "" in the
  // hashed text and in CSV).
  std::string account_id;
  std::string trace_id;
  std::string action_intent_id;
  std::string actor;
  std::string data_json;  // the data object as canonical JSON text
  std::string prev_hash;  // lowercase hex
  std::string hash;       // lowercase hex
};

// The exact text that is hashed: the canonical JSON of the entry without `hash`, i.e.
//   {"account_id":…,"action_intent_id":…,"actor":…,"data":<data_json>,"entry_id":…,
//    "event_type":…,"prev_hash":…,"seq":<int>,"tenant_id":…,"timestamp":"<RFC 3339 ms Z>",
//    "trace_id":…}
// with `data_json` spliced in verbatim (it is stored canonical; a non-canonical data text thus
// yields a different hash, which verification reports as tampering). `hash` is ignored.
std::string CanonicalEntryText(const Entry& entry);

// Lowercase hex SHA-256 of (entry.prev_hash ‖ CanonicalEntryText(entry)). `hash` is ignored.
std::string EntryHash(const Entry& entry);

// The API and JSON-export shape: {tenant_id, seq, entry_id, timestamp (RFC 3339), event_type,
// account_id, trace_id, action_intent_id, actor, data (object), prev_hash, hash}; empty optional
// ids (account_id, trace_id, action_intent_id) are null. Replaces *out.
void ToJson(const Entry& entry, nlohmann::json* out);

// The inverse of ToJson, for reading JSON/NDJSON exports: null or absent optional ids become "",
// `data` (an object) is re-serialised canonically, `timestamp` is parsed as RFC 3339.
// InvalidArgument naming the field when one is missing or of the wrong type.
Status EntryFromJson(const nlohmann::json& json, Entry* out);

}  // namespace steward::ledger
