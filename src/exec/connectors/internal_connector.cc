#include "exec/connectors/internal_connector.h"

#include "common/ids.h"
#include "common/json.h"

namespace steward::exec {
namespace {

class InternalConnector final : public Connector {
 public:
  std::string_view kind() const override { return "internal"; }
  bool transactional() const override { return true; }

  InvokeResult Invoke(const Invocation& inv, store::Txn* txn) override {
    if (!txn) return InvokeResult::Failure(ErrorClass::kUnknown, "NO_TRANSACTION", "internal connector needs a transaction");
    auto args = ParseJsonObject(inv.arguments_json);
    if (!args.ok()) {
      return InvokeResult::Failure(ErrorClass::kValidation, "INVALID_ARGUMENTS", args.status().message());
    }
    std::string kind, title, body;
    auto text = [&](const char* k) {
      return args->contains(k) && (*args)[k].is_string() ? (*args)[k].get<std::string>() : std::string();
    };
    title = text("title");
    body = text("body");
    if (inv.tool_name == "internal.create_task") {
      kind = "task";
      if (title.empty()) {
        return InvokeResult::Failure(ErrorClass::kValidation, "MISSING_PARAMETER",
                                     "a task needs a non-empty string title");
      }
    } else if (inv.tool_name == "internal.create_note") {
      kind = "note";
      if (title.empty() && body.empty()) {
        return InvokeResult::Failure(ErrorClass::kValidation, "MISSING_PARAMETER",
                                     "a note needs a title or a body");
      }
    } else if (inv.tool_name == "internal.flag_for_review") {
      kind = "flag";
    } else {
      return InvokeResult::Failure(ErrorClass::kValidation, "UNKNOWN_TOOL",
                                   "the internal connector has no tool " + inv.tool_name);
    }
    std::string id = NewId(kind == "task" ? "task" : kind == "note" ? "note" : "flag", NowHint(inv));
    auto ins = txn->QueryOne(
        "INSERT INTO internal_objects (tenant_id, object_id, kind, account_id, action_intent_id, "
        "idempotency_key, title, body, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING object_id",
        {inv.tenant_id, id, kind, inv.account_id, inv.action_intent_id, inv.idempotency_key,
         store::TextOrNull(title), store::TextOrNull(body), inv.arguments_json, NowHint(inv)});
    if (!ins.ok()) return InvokeResult::Failure(ErrorClass::kUnknown, "STORE_ERROR", ins.status().message());
    if (!*ins) {
      auto existing = txn->QueryOne(
          "SELECT object_id, kind FROM internal_objects WHERE tenant_id = ? AND idempotency_key = ?",
          {inv.tenant_id, inv.idempotency_key});
      if (!existing.ok() || !*existing) {
        return InvokeResult::Failure(ErrorClass::kUnknown, "STORE_ERROR", "internal object lost");
      }
      id = (*existing)->Text(0);
      kind = (*existing)->Text(1);
    } else {
      id = (*ins)->Text(0);
    }
    return InvokeResult::Success({ExternalRef{"steward", kind, id, ""}});
  }

 private:
  // The connector has no clock of its own: the engine's (injected) time of the call.
  static int64_t NowHint(const Invocation& inv) { return inv.now_ms; }
};

}  // namespace

std::unique_ptr<Connector> NewInternalConnector() { return std::make_unique<InternalConnector>(); }

}  // namespace steward::exec
