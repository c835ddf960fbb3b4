#pragma once
// Identifiers: validation of client-given ids (SPEC §4) and generation of ULID-based ids.

#include <string>
#include <string_view>

#include "common/status.h"

namespace steward {

// True when `id` matches [A-Za-z0-9][A-Za-z0-9._:@-]{0,127}.
bool IsValidId(std::string_view id);

// OK, or InvalidArgument naming `field` when `id` is empty or ill-formed.
Status ValidateId(std::string_view id, std::string_view field);

// A new ULID (26 Crockford base32 characters, time-ordered by `now_ms`). Thread-safe.
std::string NewUlid(int64_t now_ms);

// `prefix` + NewUlid(now_ms), e.g. "ai_01J…".
std::string NewId(std::string_view prefix, int64_t now_ms);

}  // namespace steward
