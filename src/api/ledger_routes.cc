// The audit ledger over the API (SPEC §8): listing with filters and cursor, and verification.
#include "api/api.h"
#include "api/route_util.h"
#include "common/json.h"
#include "common/time_util.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::api {
namespace {

// A `from`/`to` bound: an RFC 3339 instant, or a date (from: its start; to: its end).
Status TimeBound(const Call& c, std::string_view name, bool end, std::optional<int64_t>* out) {
  std::string v = c.Query(name);
  if (v.empty()) return Status::Ok();
  if (v.size() == 10) {
    auto d = ParseDate(v);
    if (!d.ok()) return Status::InvalidArgument(std::string(name) + " must be a date or RFC 3339 instant", std::string(name));
    *out = end ? *d + kMsPerDay - 1 : *d;
    return Status::Ok();
  }
  auto t = ParseTimestamp(v);
  if (!t.ok()) return Status::InvalidArgument(std::string(name) + " must be a date or RFC 3339 instant", std::string(name));
  *out = *t;
  return Status::Ok();
}

}  // namespace

void RegisterLedgerRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  Route(r, d, "GET", "/v1/ledger", Role::kAdmin, [d](const Call& c, Json* out, int*) {
    ledger::Filter f;
    f.account_id = c.Query("account_id");
    f.event_type = c.Query("event_type");
    f.action_intent_id = c.Query("action_intent_id");
    f.trace_id = c.Query("trace_id");
    if (!f.event_type.empty() && !ledger::IsKnownEventType(f.event_type)) {
      return Status::InvalidArgument("unknown event_type " + f.event_type, "event_type");
    }
    STEWARD_RETURN_IF_ERROR(TimeBound(c, "from", false, &f.from_ms));
    STEWARD_RETURN_IF_ERROR(TimeBound(c, "to", true, &f.to_ms));
    std::string order = c.Query("order");
    if (!order.empty() && order != "newest_first" && order != "oldest_first") {
      return Status::InvalidArgument("order must be newest_first or oldest_first", "order");
    }
    f.newest_first = order != "oldest_first";
    int64_t limit = 100;
    STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 1000, &limit));
    std::string cursor = c.Query("cursor");
    return d.store->Read([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(ledger::Page page, ledger::List(txn, c.actor.tenant_id, f,
                                                               static_cast<int>(limit), cursor));
      Json items = Json::array();
      for (const auto& e : page.entries) {
        Json j;
        ledger::ToJson(e, &j);
        items.push_back(std::move(j));
      }
      *out = Json{{"items", std::move(items)},
                  {"next_cursor", page.next_cursor.empty() ? Json(nullptr) : Json(page.next_cursor)}};
      return Status::Ok();
    });
  });
  Route(r, d, "GET", "/v1/ledger/verify", Role::kAdmin, [d](const Call& c, Json* out, int*) {
    std::optional<int64_t> from, to;
    STEWARD_RETURN_IF_ERROR(TimeBound(c, "from", false, &from));
    STEWARD_RETURN_IF_ERROR(TimeBound(c, "to", true, &to));
    return d.store->Read([&](store::Txn& txn) -> Status {
      STEWARD_ASSIGN_OR_RETURN(ledger::VerifyResult v, ledger::Verify(txn, c.actor.tenant_id, from, to));
      *out = Json{{"ok", v.ok}, {"checked", v.checked}};
      if (v.first_broken_seq) {
        (*out)["first_broken_seq"] = *v.first_broken_seq;
        (*out)["reason"] = v.reason;
      }
      return Status::Ok();
    });
  });
}

}  // namespace steward::api
