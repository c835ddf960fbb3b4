#pragma once
// The internal connector (SPEC §6): CREATE_INTERNAL_TASK stores a task, CREATE_INTERNAL_NOTE a
// note, FLAG_FOR_REVIEW a review flag on the account, in the table internal_objects. It is
// transactional: the object is written in the same transaction as the outcome, so a crash never
// leaves one without the other. The object is keyed by the idempotency key, so a call repeated
// for one execution returns the object already made.

#include <memory>

#include "exec/connector.h"

namespace steward::exec {

inline constexpr std::string_view kInternalConnectorId = "internal";

std::unique_ptr<Connector> NewInternalConnector();

}  // namespace steward::exec
