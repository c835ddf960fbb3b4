#pragma once
// The http connector (SPEC §6): POSTs `{tool_name, arguments, idempotency_key, tenant_id,
// account_id, action_intent_id}` as JSON to the tenant's configured URL with the headers
// `Idempotency-Key`, `X-Steward-Timestamp` and, when a secret is configured,
// `X-Steward-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`; expects
// `{external_object_refs: [{system, object_type, object_id, object_url?}]}` back.
// 2xx → success; 401/403 → AUTH; 429 → RATE_LIMIT (Retry-After honoured, seconds or HTTP date);
// other 4xx → VALIDATION; 5xx, connection errors and unparseable 2xx bodies → DOWNSTREAM;
// the intent's timeout exceeded → TIMEOUT. Uses libcurl; thread-safe (one easy handle per call).

#include <memory>

#include "exec/connector.h"

namespace steward::exec {

// `inv.config` must be set (the engine loads it); without it Invoke fails with VALIDATION
// CONNECTOR_NOT_CONFIGURED.
std::unique_ptr<Connector> NewHttpConnector();

}  // namespace steward::exec
