#pragma once
// Helpers shared by webhooks.cc and webhook_delivery.cc; not part of the events API.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace steward::events {

// "dlv_<n>": the wire form of a delivery id.
std::string DeliveryIdString(int64_t delivery_id);

// Ends every PENDING delivery of the webhook as DEAD with last_error = `why`; `*buried` is how
// many. REQUIRES: txn.writable().
Status BuryPendingDeliveries(store::Txn& txn, std::string_view tenant_id,
                             std::string_view webhook_id, std::string_view why, int64_t now_ms,
                             int64_t* buried);

// MAX(event_id) over all tenants, 0 for an empty table.
Result<int64_t> MaxEventId(store::Txn& txn);

}  // namespace steward::events
