#include "ledger/entry.h"

#include "common/crypto.h"
#include "common/json.h"
#include "common/time_util.h"

namespace steward::ledger {
namespace {

// A JSON string literal exactly as CanonicalJson writes it. Printable ASCII other than '"' and
// '\\' is written as is, so such strings (ids, hashes, timestamps: nearly all) skip the library.
std::string Quoted(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return CanonicalJson(Json(std::string(s)));
  }
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out += s;
  out += '"';
  return out;
}

Json NullIfEmpty(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

Status OptionalId(const Json& j, std::string_view field, std::string* out) {
  out->clear();
  return GetOptionalString(j, field, out);
}

}  // namespace

std::string CanonicalEntryText(const Entry& e) {
  // Keys in byte order, as CanonicalJson would sort them. Spliced by hand so that `data` goes in
  // exactly as stored and hashing needs no parse (and cannot fail).
  std::string out;
  out.reserve(256 + e.data_json.size());
  out += "{\"account_id\":";
  out += Quoted(e.account_id);
  out += ",\"action_intent_id\":";
  out += Quoted(e.action_intent_id);
  out += ",\"actor\":";
  out += Quoted(e.actor);
  out += ",\"data\":";
  out += e.data_json;
  out += ",\"entry_id\":";
  out += Quoted(e.entry_id);
  out += ",\"event_type\":";
  out += Quoted(e.event_type);
  out += ",\"prev_hash\":";
  out += Quoted(e.prev_hash);
  out += ",\"seq\":";
  out += std::to_string(e.seq);
  out += ",\"tenant_id\":";
  out += Quoted(e.tenant_id);
  out += ",\"timestamp\":";
  out += Quoted(FormatTimestamp(e.ts_ms));
  out += ",\"trace_id\":";
  out += Quoted(e.trace_id);
  out += "}";
  return out;
}

std::string EntryHash(const Entry& e) {
  std::string text = e.prev_hash;
  text += CanonicalEntryText(e);
  return Sha256Hex(text);
}

void ToJson(const Entry& e, Json* out) {
  auto data = ParseJson(e.data_json);
  *out = Json{{"tenant_id", e.tenant_id},
              {"seq", e.seq},
              {"entry_id", e.entry_id},
              {"timestamp", FormatTimestamp(e.ts_ms)},
              {"event_type", e.event_type},
              {"account_id", NullIfEmpty(e.account_id)},
              {"trace_id", NullIfEmpty(e.trace_id)},
              {"action_intent_id", NullIfEmpty(e.action_intent_id)},
              {"actor", e.actor},
              {"data", data.ok() ? std::move(data).value() : Json(nullptr)},
              {"prev_hash", e.prev_hash},
              {"hash", e.hash}};
}

Status EntryFromJson(const Json& j, Entry* out) {
  if (!j.is_object()) return Status::InvalidArgument("a ledger entry must be a JSON object");
  Entry e;
  STEWARD_RETURN_IF_ERROR(GetString(j, "tenant_id", &e.tenant_id));
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_integer()) {
    return Status::InvalidArgument("seq must be an integer", "seq");
  }
  e.seq = seq->get<int64_t>();
  STEWARD_RETURN_IF_ERROR(GetString(j, "entry_id", &e.entry_id));
  std::string ts;
  STEWARD_RETURN_IF_ERROR(GetString(j, "timestamp", &ts));
  auto ts_ms = ParseTimestamp(ts);
  if (!ts_ms.ok()) return Status::InvalidArgument(ts_ms.status().message(), "timestamp");
  e.ts_ms = *ts_ms;
  STEWARD_RETURN_IF_ERROR(GetString(j, "event_type", &e.event_type));
  STEWARD_RETURN_IF_ERROR(OptionalId(j, "account_id", &e.account_id));
  STEWARD_RETURN_IF_ERROR(OptionalId(j, "trace_id", &e.trace_id));
  STEWARD_RETURN_IF_ERROR(OptionalId(j, "action_intent_id", &e.action_intent_id));
  STEWARD_RETURN_IF_ERROR(GetString(j, "actor", &e.actor));
  auto data = j.find("data");
  if (data == j.end() || !data->is_object()) {
    return Status::InvalidArgument("data must be an object", "data");
  }
  e.data_json = CanonicalJson(*data);
  STEWARD_RETURN_IF_ERROR(GetString(j, "prev_hash", &e.prev_hash));
  STEWARD_RETURN_IF_ERROR(GetString(j, "hash", &e.hash));
  *out = std::move(e);
  return Status::Ok();
}

}  // namespace steward::ledger
