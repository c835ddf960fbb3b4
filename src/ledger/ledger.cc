#include "ledger/ledger.h"

#include <charconv>
#include <limits>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"
#include "ledger/event_types.h"

namespace steward::ledger {
namespace {

constexpr std::string_view kEntryIdPrefix = "le_";
// Store::Txn::SerializeOn key of a tenant's chain head: "ledger:<tenant_id>".
constexpr std::string_view kSerializeKeyPrefix = "ledger:";
constexpr std::string_view kColumns =
    "tenant_id, seq, entry_id, ts, event_type, account_id, trace_id, action_intent_id, actor, "
    "data, prev_hash, hash";
// Cursor text before base64url: "<a|d>:<last seq>" (ascending / descending).
constexpr char kCursorAscending = 'a';
constexpr char kCursorDescending = 'd';
constexpr size_t kMaxCursorLength = 64;

Entry EntryFromRow(const store::Row& r) {
  Entry e;
  e.tenant_id = r.Text(0);
  e.seq = r.Int(1);
  e.entry_id = r.Text(2);
  e.ts_ms = r.Int(3);
  e.event_type = r.Text(4);
  e.account_id = r.Text(5);  // NULL reads as ""
  e.trace_id = r.Text(6);
  e.action_intent_id = r.Text(7);
  e.actor = r.Text(8);
  e.data_json = r.Text(9);
  e.prev_hash = r.Text(10);
  e.hash = r.Text(11);
  return e;
}

// The one place the head row is read. On PostgreSQL, Append (for_update) must suffix the query
// with " FOR UPDATE" so concurrent appends for a tenant queue on the head row; SQLite's single
// writer connection already serialises them and does not know the clause.
Result<std::optional<Head>> ReadHead(store::Txn& txn, std::string_view tenant_id, bool for_update) {
  const bool lock = for_update && txn.backend() == "postgresql";
  STEWARD_ASSIGN_OR_RETURN(
      auto row,
      txn.QueryOne(lock ? "SELECT seq, hash FROM ledger_heads WHERE tenant_id = ? FOR UPDATE"
                        : "SELECT seq, hash FROM ledger_heads WHERE tenant_id = ?",
                   {std::string(tenant_id)}));
  if (!row) return std::optional<Head>();
  return std::optional<Head>(Head{row->Int(0), row->Text(1)});
}

std::string EncodeCursor(bool newest_first, int64_t seq) {
  std::string text(1, newest_first ? kCursorDescending : kCursorAscending);
  text += ':';
  text += std::to_string(seq);
  return Base64UrlEncode(text);
}

Result<int64_t> DecodeCursor(std::string_view cursor, bool newest_first) {
  Status bad = Status::InvalidArgument("cursor is not valid", "cursor");
  std::string text;
  if (cursor.size() > kMaxCursorLength || !Base64UrlDecode(cursor, &text)) return bad;
  if (text.size() < 3 || text[1] != ':') return bad;
  if (text[0] != kCursorAscending && text[0] != kCursorDescending) return bad;
  if ((text[0] == kCursorDescending) != newest_first) {
    return Status::InvalidArgument("cursor was issued for the other order", "cursor");
  }
  int64_t seq = 0;
  const char* begin = text.data() + 2;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, seq);
  if (ec != std::errc() || ptr != end || seq < 1 || *begin == '0') return bad;
  return seq;
}

// SELECT … WHERE … for `filter`, appending parameters to *params. `after_seq` continues past a
// cursor; `limit` 0 means no LIMIT.
std::string FilterSql(std::string_view tenant_id, const Filter& f, std::optional<int64_t> after_seq,
                      int64_t limit, std::vector<store::Value>* params) {
  std::string sql = "SELECT " + std::string(kColumns) + " FROM ledger WHERE tenant_id = ?";
  params->emplace_back(std::string(tenant_id));
  auto eq = [&](std::string_view column, const std::string& value) {
    if (value.empty()) return;
    sql += " AND ";
    sql += column;
    sql += " = ?";
    params->emplace_back(value);
  };
  eq("account_id", f.account_id);
  eq("event_type", f.event_type);
  eq("action_intent_id", f.action_intent_id);
  eq("trace_id", f.trace_id);
  if (f.from_ms) {
    sql += " AND ts >= ?";
    params->emplace_back(*f.from_ms);
  }
  if (f.to_ms) {
    sql += " AND ts <= ?";
    params->emplace_back(*f.to_ms);
  }
  if (after_seq) {
    sql += f.newest_first ? " AND seq < ?" : " AND seq > ?";
    params->emplace_back(*after_seq);
  }
  sql += f.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq ASC";
  if (limit > 0) {
    sql += " LIMIT ?";
    params->emplace_back(limit);
  }
  return sql;
}

// The seq bounds of the entries stamped within [from_ms, to_ms]; nullopt when there are none.
Result<std::optional<std::pair<int64_t, int64_t>>> SeqRange(store::Txn& txn,
                                                            std::string_view tenant_id,
                                                            std::optional<int64_t> from_ms,
                                                            std::optional<int64_t> to_ms) {
  using Range = std::optional<std::pair<int64_t, int64_t>>;
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();
  if (from_ms) {
    STEWARD_ASSIGN_OR_RETURN(
        auto row, txn.QueryOne("SELECT MIN(seq) FROM ledger WHERE tenant_id = ? AND ts >= ?",
                               {std::string(tenant_id), *from_ms}));
    if (!row || row->IsNull(0)) return Range();
    lo = row->Int(0);
  }
  if (to_ms) {
    STEWARD_ASSIGN_OR_RETURN(
        auto row, txn.QueryOne("SELECT MAX(seq) FROM ledger WHERE tenant_id = ? AND ts <= ?",
                               {std::string(tenant_id), *to_ms}));
    if (!row || row->IsNull(0)) return Range();
    hi = row->Int(0);
  }
  if (lo > hi) return Range();
  return Range(std::make_pair(lo, hi));
}

}  // namespace

Result<Entry> Append(store::Txn& txn, std::string_view tenant_id, int64_t now_ms,
                     const AppendRequest& req, const Json& data) {
  AppendEvent one(&req, &data);
  STEWARD_ASSIGN_OR_RETURN(auto entries, AppendMany(txn, tenant_id, now_ms, {one}));
  return std::move(entries.front());
}

Result<std::vector<Entry>> AppendMany(store::Txn& txn, std::string_view tenant_id, int64_t now_ms,
                                      std::initializer_list<AppendEvent> events) {
  return AppendMany(txn, tenant_id, now_ms, std::vector<AppendEvent>(events));
}

Result<std::vector<Entry>> AppendMany(store::Txn& txn, std::string_view tenant_id, int64_t now_ms,
                                      const std::vector<AppendEvent>& events) {
  if (!txn.writable()) return Status::Internal("ledger append outside a write transaction");
  if (tenant_id.empty()) return Status::InvalidArgument("tenant_id is required", "tenant_id");
  if (events.size() == 0) return Status::Internal("ledger append of no events");
  for (const AppendEvent& ev : events) {
    if (!IsKnownEventType(ev.request->event_type)) {
      return Status::InvalidArgument("unknown ledger event type '" + ev.request->event_type + "'",
                                     "event_type");
    }
    bool object = ev.data
                      ? ev.data->is_object()
                      : ev.canonical_data && ev.canonical_data->size() >= 2 &&
                            ev.canonical_data->front() == '{' && ev.canonical_data->back() == '}';
    if (!object) return Status::InvalidArgument("ledger data must be a JSON object", "data");
  }
  // Every write of a tenant appends here, so its head row is where concurrent writers meet.
  txn.SerializeOn(std::string(kSerializeKeyPrefix) + std::string(tenant_id));
  STEWARD_ASSIGN_OR_RETURN(std::optional<Head> head, ReadHead(txn, tenant_id, true));
  int64_t seq = head ? head->seq : 0;
  std::string prev = head ? head->hash : std::string(kGenesisHash);

  std::vector<Entry> out;
  out.reserve(events.size());
  for (const AppendEvent& ev : events) {
    const AppendRequest* req = ev.request;
    Entry e;
    e.tenant_id = std::string(tenant_id);
    e.seq = ++seq;
    e.entry_id = NewId(kEntryIdPrefix, now_ms);
    e.ts_ms = now_ms;
    e.event_type = req->event_type;
    e.account_id = req->account_id;
    e.trace_id = req->trace_id;
    e.action_intent_id = req->action_intent_id;
    e.actor = req->actor;
    e.data_json = ev.data ? CanonicalJson(*ev.data) : *ev.canonical_data;
    e.prev_hash = prev;
    e.hash = EntryHash(e);
    prev = e.hash;
    auto ins = txn.Exec(
        "INSERT INTO ledger (tenant_id, seq, entry_id, ts, event_type, account_id, trace_id, "
        "action_intent_id, actor, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)",
        {store::Ref(e.tenant_id), e.seq, store::Ref(e.entry_id), e.ts_ms, store::Ref(e.event_type),
         store::RefOrNull(e.account_id), store::RefOrNull(e.trace_id),
         store::RefOrNull(e.action_intent_id), store::Ref(e.actor), store::Ref(e.data_json),
         store::Ref(e.prev_hash), store::Ref(e.hash)});
    if (!ins.ok()) return ins.status();
    out.push_back(std::move(e));
  }
  // The head moves once for the whole group.
  auto up = txn.Exec(
      "INSERT INTO ledger_heads (tenant_id, seq, hash) VALUES (?, ?, ?) "
      "ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
      {std::string(tenant_id), seq, prev});
  if (!up.ok()) return up.status();
  return out;
}

Result<std::optional<Head>> GetHead(store::Txn& txn, std::string_view tenant_id) {
  return ReadHead(txn, tenant_id, false);
}

Result<Page> List(store::Txn& txn, std::string_view tenant_id, const Filter& filter, int limit,
                  std::string_view cursor) {
  if (limit < kMinPageLimit || limit > kMaxPageLimit) {
    return Status::InvalidArgument("limit must be between " + std::to_string(kMinPageLimit) +
                                       " and " + std::to_string(kMaxPageLimit),
                                   "limit");
  }
  std::optional<int64_t> after;
  if (!cursor.empty()) {
    STEWARD_ASSIGN_OR_RETURN(after, DecodeCursor(cursor, filter.newest_first));
  }
  std::vector<store::Value> params;
  // One row more than the page tells whether another page follows.
  std::string sql = FilterSql(tenant_id, filter, after, int64_t{limit} + 1, &params);
  STEWARD_ASSIGN_OR_RETURN(std::vector<store::Row> rows, txn.QueryV(sql, params));
  Page page;
  bool more = rows.size() > static_cast<size_t>(limit);
  if (more) rows.resize(static_cast<size_t>(limit));
  page.entries.reserve(rows.size());
  for (const auto& r : rows) page.entries.push_back(EntryFromRow(r));
  if (more) page.next_cursor = EncodeCursor(filter.newest_first, page.entries.back().seq);
  return page;
}

Status ForEachEntry(store::Txn& txn, std::string_view tenant_id, const Filter& filter,
                    const std::function<bool(const Entry&)>& fn) {
  std::vector<store::Value> params;
  std::string sql = FilterSql(tenant_id, filter, std::nullopt, 0, &params);
  return txn.ForEach(sql, params, [&](const store::Row& r) { return fn(EntryFromRow(r)); });
}

Result<std::optional<std::pair<int64_t, int64_t>>> SeqRangeOf(store::Txn& txn,
                                                              std::string_view tenant_id,
                                                              std::optional<int64_t> from_ms,
                                                              std::optional<int64_t> to_ms) {
  return SeqRange(txn, tenant_id, from_ms, to_ms);
}

Status ScanSeqRange(store::Txn& txn, std::string_view tenant_id, const Filter& filter,
                    int64_t after_seq, int64_t last_seq, int64_t limit,
                    const std::function<bool(const Entry&)>& fn) {
  // The primary key (tenant_id, seq) drives the scan: each page is an index range, however
  // long the ledger, so paging through a million rows stays linear.
  std::string sql = "SELECT " + std::string(kColumns) +
                    " FROM ledger WHERE tenant_id = ? AND seq > ? AND seq <= ?";
  std::vector<store::Value> params = {std::string(tenant_id), after_seq, last_seq};
  if (!filter.account_id.empty()) {
    sql += " AND account_id = ?";
    params.emplace_back(filter.account_id);
  }
  if (filter.from_ms) {
    sql += " AND ts >= ?";
    params.emplace_back(*filter.from_ms);
  }
  if (filter.to_ms) {
    sql += " AND ts <= ?";
    params.emplace_back(*filter.to_ms);
  }
  sql += " ORDER BY seq ASC LIMIT ?";
  params.emplace_back(limit);
  // One Entry reused for every row: its strings keep their capacity, so a million rows do not
  // cost twelve allocations each.
  Entry e;
  return txn.ForEach(sql, params, [&](const store::Row& r) {
    e.tenant_id.assign(r.TextView(0));
    e.seq = r.Int(1);
    e.entry_id.assign(r.TextView(2));
    e.ts_ms = r.Int(3);
    e.event_type.assign(r.TextView(4));
    e.account_id.assign(r.TextView(5));
    e.trace_id.assign(r.TextView(6));
    e.action_intent_id.assign(r.TextView(7));
    e.actor.assign(r.TextView(8));
    e.data_json.assign(r.TextView(9));
    e.prev_hash.assign(r.TextView(10));
    e.hash.assign(r.TextView(11));
    return fn(e);
  });
}

Result<std::vector<Entry>> ForIntent(store::Txn& txn, std::string_view tenant_id,
                                     std::string_view action_intent_id) {
  std::vector<Entry> out;
  if (action_intent_id.empty()) return out;
  Filter f;
  f.action_intent_id = std::string(action_intent_id);
  f.newest_first = false;
  STEWARD_RETURN_IF_ERROR(ForEachEntry(txn, tenant_id, f, [&](const Entry& e) {
    out.push_back(e);
    return true;
  }));
  return out;
}

Result<VerifyResult> Verify(store::Txn& txn, std::string_view tenant_id,
                            std::optional<int64_t> from_ms, std::optional<int64_t> to_ms) {
  VerifyResult result;
  STEWARD_ASSIGN_OR_RETURN(auto range, SeqRange(txn, tenant_id, from_ms, to_ms));
  if (!range && (from_ms || to_ms)) return result;  // nothing stamped in the range

  // Without from_ms the chain must start at seq 1 from the genesis hash; with it, the first
  // entry anchors the check. A range that happens to start at seq 1 gets the genesis check too.
  bool anchored = from_ms.has_value();
  int64_t expected_seq = anchored ? range->first : 1;
  std::string prev_hash(kGenesisHash);
  auto fail = [&](int64_t seq, std::string reason) {
    result.ok = false;
    result.first_broken_seq = seq;
    result.reason = std::move(reason);
  };
  int64_t lo = range ? range->first : std::numeric_limits<int64_t>::min();
  int64_t hi = range ? range->second : std::numeric_limits<int64_t>::max();
  Status st = txn.ForEach(
      "SELECT " + std::string(kColumns) +
          " FROM ledger WHERE tenant_id = ? AND seq >= ? AND seq <= ? ORDER BY seq ASC",
      {std::string(tenant_id), lo, hi}, [&](const store::Row& row) {
        Entry e = EntryFromRow(row);
        ++result.checked;
        if (e.seq != expected_seq) {
          fail(expected_seq, e.seq > expected_seq
                                 ? "entry seq " + std::to_string(expected_seq) + " is missing"
                                 : "unexpected seq " + std::to_string(e.seq));
          return false;
        }
        bool is_anchor = anchored && e.seq == range->first && e.seq != 1;
        if (!is_anchor && e.prev_hash != prev_hash) {
          fail(e.seq, e.seq == 1 ? "prev_hash of seq 1 is not the genesis hash"
                                 : "prev_hash does not match the hash of seq " +
                                       std::to_string(e.seq - 1));
          return false;
        }
        if (EntryHash(e) != e.hash) {
          fail(e.seq, "hash does not match the entry's content");
          return false;
        }
        prev_hash = e.hash;
        ++expected_seq;
        return true;
      });
  STEWARD_RETURN_IF_ERROR(st);
  if (!result.ok || to_ms) return result;

  // The chain ran to its end: it must end where the head says, so truncation is caught.
  int64_t last_seq = expected_seq - 1;
  STEWARD_ASSIGN_OR_RETURN(std::optional<Head> head, ReadHead(txn, tenant_id, false));
  if (!head) {
    if (result.checked > 0) fail(last_seq, "the ledger head is missing");
    return result;
  }
  if (head->seq > last_seq) {
    fail(last_seq + 1, "entries after seq " + std::to_string(last_seq) +
                           " are missing (head is at seq " + std::to_string(head->seq) + ")");
  } else if (head->seq < last_seq) {
    fail(head->seq + 1,
         "the ledger head (seq " + std::to_string(head->seq) + ") is behind the last entry");
  } else if (result.checked > 0 && head->hash != prev_hash) {
    fail(last_seq, "the ledger head's hash does not match the last entry");
  }
  return result;
}

}  // namespace steward::ledger
