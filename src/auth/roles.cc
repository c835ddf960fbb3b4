#include "auth/roles.h"

#include <array>

namespace steward::auth {
namespace {

struct RoleEntry {
  Role role;
  const char* name;
};

// Wire names, defined once (SPEC §3).
constexpr std::array<RoleEntry, 6> kRoles = {{
    {Role::kViewer, "viewer"},
    {Role::kAgent, "agent"},
    {Role::kApprover, "approver"},
    {Role::kOperator, "operator"},
    {Role::kAdmin, "admin"},
    {Role::kPlatformAdmin, "platform_admin"},
}};

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (const RoleEntry& e : kRoles) {
    if (name == e.name) return e.role;
  }
  return std::nullopt;
}

const char* RoleName(Role role) {
  for (const RoleEntry& e : kRoles) {
    if (e.role == role) return e.name;
  }
  return "unknown";
}

bool RoleIncludes(Role held, Role required) {
  if (held == Role::kPlatformAdmin) return true;
  if (required == Role::kPlatformAdmin) return false;
  return static_cast<int>(held) >= static_cast<int>(required);
}

bool HasRole(const Principal& principal, Role required) {
  for (Role held : principal.roles) {
    if (RoleIncludes(held, required)) return true;
  }
  return false;
}

}  // namespace steward::auth
