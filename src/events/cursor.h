#pragma once
// Opaque page cursors of the events folder: base64url of a decimal row id (an event_id for the
// feed, a delivery_id for webhook deliveries). Internal to events/; clients never parse them.

#include <cstdint>
#include <string>
#include <string_view>

namespace steward::events {

std::string EncodeIdCursor(int64_t id);
// True and `*id` set when `cursor` is EncodeIdCursor of a non-negative id; false otherwise.
bool DecodeIdCursor(std::string_view cursor, int64_t* id);

}  // namespace steward::events
