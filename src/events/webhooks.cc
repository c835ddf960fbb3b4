// WebhookService: configuration (Put, Get, Delete) and the deliveries listing. The delivery
// pipeline (dispatch and deliver handlers) is in webhook_delivery.cc.
#include "events/webhooks.h"

#include <algorithm>

#include "common/ids.h"
#include "common/json.h"
#include "common/time_util.h"
#include "events/cursor.h"
#include "events/event_feed.h"
#include "events/webhook_internal.h"
#include "ledger/event_types.h"
#include "ledger/ledger.h"

namespace steward::events {
namespace {

constexpr size_t kMaxUrlLength = 2048;
constexpr size_t kMinSecretLength = 16;
constexpr size_t kMaxSecretLength = 512;
constexpr size_t kMaxEventTypes = 50;
constexpr int kMaxDeliveriesPage = 500;
constexpr std::string_view kSettingWebhook = "webhook";

Status ValidateUrl(const std::string& url) {
  if ((url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) ||
      url.size() > kMaxUrlLength || url.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument(
        "url must be an http:// or https:// URL of at most 2048 characters", "url");
  }
  return Status::Ok();
}

// Sorted, without duplicates; InvalidArgument unless 1..50 names matching [A-Z_]{1,64}.
Status NormalizeEventTypes(std::vector<std::string>* types) {
  std::sort(types->begin(), types->end());
  types->erase(std::unique(types->begin(), types->end()), types->end());
  if (types->empty() || types->size() > kMaxEventTypes) {
    return Status::InvalidArgument("event_types must be a non-empty array of at most 50 names",
                                   "event_types");
  }
  for (const auto& t : *types) {
    if (!IsEventTypeName(t)) {
      return Status::InvalidArgument("each event type must match [A-Z_]{1,64}", "event_types");
    }
  }
  return Status::Ok();
}

Status AppendConfigChanged(store::Txn& txn, const Actor& actor, const Json& data, int64_t now) {
  ledger::AppendRequest m;
  m.event_type = std::string(ledger::kConfigChanged);
  m.actor = actor.subject;
  auto e = ledger::Append(txn, actor.tenant_id, now, m, data);
  return e.ok() ? Status::Ok() : e.status();
}

constexpr std::string_view kWebhookColumns =
    "url, event_types, secret, enabled, cursor_event_id, created_at, updated_at, updated_by";

// The API shape of a row selected with kWebhookColumns; never the secret.
Json WebhookJson(std::string_view webhook_id, const store::Row& r) {
  auto types = ParseJson(r.Text(1));
  return Json{{"webhook_id", webhook_id},
              {"url", r.Text(0)},
              {"event_types", types.ok() ? *types : Json::array()},
              {"enabled", r.Int(3) != 0},
              {"secret_set", !r.Text(2).empty()},
              {"created_at", FormatTimestamp(r.Int(5))},
              {"updated_at", FormatTimestamp(r.Int(6))},
              {"updated_by", r.Text(7)}};
}

Result<std::optional<store::Row>> LoadWebhook(store::Txn& txn, const Actor& actor,
                                              std::string_view id) {
  return txn.QueryOne("SELECT " + std::string(kWebhookColumns) +
                          " FROM webhooks WHERE tenant_id = ? AND webhook_id = ?",
                      {actor.tenant_id, std::string(id)});
}

Json NullOr(const std::optional<int64_t>& v, bool as_time) {
  if (!v) return Json(nullptr);
  return as_time ? Json(FormatTimestamp(*v)) : Json(*v);
}

}  // namespace

std::string DeliveryIdString(int64_t delivery_id) { return "dlv_" + std::to_string(delivery_id); }

Status BuryPendingDeliveries(store::Txn& txn, std::string_view tenant_id,
                             std::string_view webhook_id, std::string_view why, int64_t now_ms,
                             int64_t* buried) {
  STEWARD_ASSIGN_OR_RETURN(
      *buried,
      txn.Exec("UPDATE webhook_deliveries SET status = ?, last_error = ?, "
               "next_attempt_at = NULL, updated_at = ? WHERE tenant_id = ? AND "
               "webhook_id = ? AND status = ?",
               {std::string(kDeliveryDead), std::string(why), now_ms, std::string(tenant_id),
                std::string(webhook_id), std::string(kDeliveryPending)}));
  return Status::Ok();
}

Result<int64_t> MaxEventId(store::Txn& txn) {
  STEWARD_ASSIGN_OR_RETURN(auto row, txn.QueryOne("SELECT MAX(event_id) FROM events"));
  return row ? row->Int(0) : 0;
}

WebhookService::WebhookService(store::Store* store, const Clock* clock, jobs::Waker* waker,
                               WebhookOptions options, std::unique_ptr<WebhookSender> sender)
    : store_(store),
      clock_(clock),
      waker_(waker),
      options_(options),
      sender_(sender ? std::move(sender) : NewCurlWebhookSender()) {}

WebhookService::~WebhookService() = default;

void WebhookService::Wake() {
  if (waker_) waker_->Wake();
}

Status WebhookService::Put(const Actor& actor, std::string_view webhook_id, const Json& body,
                           Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(webhook_id, "webhook_id"));
  if (!body.is_object()) return Status::InvalidArgument("body must be a JSON object");
  STEWARD_RETURN_IF_ERROR(RejectUnknownFields(body, {"url", "event_types", "secret", "enabled"}));
  std::string url, secret;
  STEWARD_RETURN_IF_ERROR(GetString(body, "url", &url));
  STEWARD_RETURN_IF_ERROR(ValidateUrl(url));
  std::vector<std::string> types;
  STEWARD_RETURN_IF_ERROR(GetOptionalStringArray(body, "event_types", &types));
  STEWARD_RETURN_IF_ERROR(NormalizeEventTypes(&types));
  bool has_secret = false;
  STEWARD_RETURN_IF_ERROR(GetOptionalString(body, "secret", &secret, &has_secret));
  if (has_secret && (secret.size() < kMinSecretLength || secret.size() > kMaxSecretLength)) {
    return Status::InvalidArgument("secret must be 16 to 512 characters", "secret");
  }
  bool enabled = true;
  STEWARD_RETURN_IF_ERROR(GetOptionalBool(body, "enabled", &enabled));
  const std::string id(webhook_id);
  const std::string types_json = Json(types).dump();
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto before, LoadWebhook(txn, actor, id));
    // An omitted secret keeps the one already set; a new webhook must bring one.
    std::string stored_secret = has_secret ? secret : (before ? before->Text(2) : "");
    if (stored_secret.empty()) {
      return Status::InvalidArgument("secret is required when creating a webhook", "secret");
    }
    const bool was_enabled = before && before->Int(3) != 0;
    int64_t cursor = before ? before->Int(4) : 0;
    // New, or enabled again: start at the present instead of replaying what happened meanwhile.
    if (!before || (enabled && !was_enabled)) {
      STEWARD_ASSIGN_OR_RETURN(cursor, MaxEventId(txn));
    }
    const int64_t created_at = before ? before->Int(5) : now;
    auto upsert = txn.Exec(
        "INSERT INTO webhooks (tenant_id, webhook_id, url, event_types, secret, enabled, "
        "cursor_event_id, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?) ON CONFLICT (tenant_id, webhook_id) DO UPDATE SET url = "
        "excluded.url, event_types = excluded.event_types, secret = excluded.secret, "
        "enabled = excluded.enabled, cursor_event_id = excluded.cursor_event_id, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        {actor.tenant_id, id, url, types_json, stored_secret, int64_t{enabled ? 1 : 0}, cursor,
         created_at, now, actor.subject});
    if (!upsert.ok()) return upsert.status();
    int64_t buried = 0;
    if (was_enabled && !enabled) {
      STEWARD_RETURN_IF_ERROR(
          BuryPendingDeliveries(txn, actor.tenant_id, id, "webhook was disabled", now, &buried));
    }
    Json data = {{"setting", kSettingWebhook},
                 {"webhook_id", id},
                 {"url", url},
                 {"event_types", types},
                 {"enabled", enabled},
                 {"created", !before},
                 {"secret_set", true},
                 {"secret_changed", has_secret}};
    if (before) {
      auto prev_types = ParseJson(before->Text(1));
      data["previous"] = {{"url", before->Text(0)},
                          {"event_types", prev_types.ok() ? *prev_types : Json::array()},
                          {"enabled", was_enabled}};
    }
    if (buried > 0) data["dead_deliveries"] = buried;
    STEWARD_RETURN_IF_ERROR(AppendConfigChanged(txn, actor, data, now));
    *out = Json{{"webhook_id", id},
                {"url", url},
                {"event_types", types},
                {"enabled", enabled},
                {"secret_set", true},
                {"created_at", FormatTimestamp(created_at)},
                {"updated_at", FormatTimestamp(now)},
                {"updated_by", actor.subject},
                {"created", !before}};
    return Status::Ok();
  });
}

Status WebhookService::Get(const Actor& actor, std::string_view webhook_id, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(webhook_id, "webhook_id"));
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, LoadWebhook(txn, actor, webhook_id));
    if (!row) return Status::NotFound("webhook " + std::string(webhook_id) + " not found");
    *out = WebhookJson(webhook_id, *row);
    return Status::Ok();
  });
}

Status WebhookService::Delete(const Actor& actor, std::string_view webhook_id, Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(webhook_id, "webhook_id"));
  const std::string id(webhook_id);
  const int64_t now = clock_->NowMs();
  return store_->Write([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto row, LoadWebhook(txn, actor, id));
    if (!row) return Status::NotFound("webhook " + id + " not found");
    auto del = txn.Exec("DELETE FROM webhooks WHERE tenant_id = ? AND webhook_id = ?",
                        {actor.tenant_id, id});
    if (!del.ok()) return del.status();
    int64_t buried = 0;
    STEWARD_RETURN_IF_ERROR(
        BuryPendingDeliveries(txn, actor.tenant_id, id, "webhook was deleted", now, &buried));
    auto types = ParseJson(row->Text(1));
    STEWARD_RETURN_IF_ERROR(
        AppendConfigChanged(txn, actor,
                            Json{{"setting", kSettingWebhook},
                                 {"webhook_id", id},
                                 {"deleted", true},
                                 {"previous",
                                  {{"url", row->Text(0)},
                                   {"event_types", types.ok() ? *types : Json::array()},
                                   {"enabled", row->Int(3) != 0}}},
                                 {"dead_deliveries", buried}},
                            now));
    *out = Json{{"webhook_id", id}, {"deleted", true}, {"dead_deliveries", buried}};
    return Status::Ok();
  });
}

Status WebhookService::ListDeliveries(const Actor& actor, std::string_view webhook_id,
                                      std::string_view status, int limit, std::string_view cursor,
                                      Json* out) {
  STEWARD_RETURN_IF_ERROR(ValidateId(webhook_id, "webhook_id"));
  if (!status.empty() && status != kDeliveryPending && status != kDeliveryDelivered &&
      status != kDeliveryDead) {
    return Status::InvalidArgument("status must be PENDING, DELIVERED or DEAD", "status");
  }
  if (limit < 1 || limit > kMaxDeliveriesPage) {
    return Status::InvalidArgument("limit must be 1 to 500", "limit");
  }
  int64_t before_id = 0;
  if (!cursor.empty() && !DecodeIdCursor(cursor, &before_id)) {
    return Status::InvalidArgument("cursor is not valid", "cursor");
  }
  const std::string id(webhook_id);
  std::string sql =
      "SELECT delivery_id, event_id, event_type, status, attempts, last_status_code, last_error, "
      "next_attempt_at, created_at, delivered_at FROM webhook_deliveries WHERE tenant_id = ? AND "
      "webhook_id = ?";
  std::vector<store::Value> params = {actor.tenant_id, id};
  if (!status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(std::string(status));
  }
  if (!cursor.empty()) {
    sql += " AND delivery_id < ?";
    params.emplace_back(before_id);
  }
  sql += " ORDER BY delivery_id DESC LIMIT ?";
  params.emplace_back(int64_t{limit} + 1);
  return store_->Read([&](store::Txn& txn) -> Status {
    STEWARD_ASSIGN_OR_RETURN(auto hook, txn.QueryOne("SELECT 1 FROM webhooks WHERE tenant_id = ? "
                                                     "AND webhook_id = ?",
                                                     {actor.tenant_id, id}));
    if (!hook) {
      STEWARD_ASSIGN_OR_RETURN(auto any, txn.QueryOne("SELECT 1 FROM webhook_deliveries WHERE "
                                                      "tenant_id = ? AND webhook_id = ? LIMIT 1",
                                                      {actor.tenant_id, id}));
      if (!any) return Status::NotFound("webhook " + id + " not found");
    }
    STEWARD_ASSIGN_OR_RETURN(auto rows, txn.QueryV(sql, params));
    Json items = Json::array();
    const size_t shown = std::min(rows.size(), static_cast<size_t>(limit));
    for (size_t i = 0; i < shown; ++i) {
      const auto& r = rows[i];
      items.push_back({{"delivery_id", DeliveryIdString(r.Int(0))},
                       {"event_id", EventIdString(r.Int(1))},
                       {"event_type", r.Text(2)},
                       {"status", r.Text(3)},
                       {"attempts", r.Int(4)},
                       {"last_status_code", NullOr(r.OptInt(5), false)},
                       {"last_error", r.IsNull(6) ? Json(nullptr) : Json(r.Text(6))},
                       {"next_attempt_at", NullOr(r.OptInt(7), true)},
                       {"created_at", FormatTimestamp(r.Int(8))},
                       {"delivered_at", NullOr(r.OptInt(9), true)}});
    }
    Json next = rows.size() > shown ? Json(EncodeIdCursor(rows[shown - 1].Int(0))) : Json(nullptr);
    *out = Json{{"items", std::move(items)}, {"next_cursor", std::move(next)}};
    return Status::Ok();
  });
}

}  // namespace steward::events
