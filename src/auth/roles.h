#pragma once
// Roles and the authenticated principal (SPEC §3).
//
// Tenant roles form one chain, each including every role below it:
//   viewer (read) < agent (create intents, invoke the gate, submit RUN_DECISION)
//   < approver (approve/reject/edit intents) < operator (kill switches, replay)
//   < admin (all tenant configuration, audit exports, ledger).
// `platform_admin` stands apart: it alone may set the global emergency stop. Steward also grants
// it every tenant right (it counts as admin) — but only inside the tenant of its own token; it
// never reaches another tenant's data.
//
// Everything here is a pure function or plain data; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward::auth {

// Ordered: a larger value includes the smaller ones, except kPlatformAdmin (see RoleIncludes).
enum class Role {
  kViewer = 0,
  kAgent,
  kApprover,
  kOperator,
  kAdmin,
  kPlatformAdmin,
};

// The wire name ("viewer", "agent", "approver", "operator", "admin", "platform_admin") of a
// role, or nullopt for anything else. Case-sensitive.
std::optional<Role> ParseRole(std::string_view name);

// The wire name of `role`, e.g. "approver". Never null.
const char* RoleName(Role role);

// True when holding `held` grants `required`: held == kPlatformAdmin grants everything;
// otherwise kPlatformAdmin is never granted and tenant roles grant themselves and those below.
bool RoleIncludes(Role held, Role required);

// Who made a request, as established by a verified token. Plain value type.
struct Principal {
  std::string subject;      // the `sub` claim; recorded in the ledger as `actor`
  std::string tenant_id;    // from `tenant_id` or `custom:tenant_id`; a valid id (common/ids.h)
  std::vector<Role> roles;  // the token's known roles: sorted ascending, no duplicates, non-empty
  Role highest = Role::kViewer;  // the largest value in `roles`
  int64_t expires_at_ms = 0;     // the token's `exp`, in ms since the Unix epoch
};

// True when any of `principal.roles` includes `required` (RoleIncludes).
bool HasRole(const Principal& principal, Role required);

}  // namespace steward::auth
