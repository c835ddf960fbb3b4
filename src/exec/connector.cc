#include "exec/connector.h"

#include <array>
#include <utility>

namespace steward::exec {
namespace {

// The wire names of SPEC §6, defined once.
constexpr std::array<std::pair<ErrorClass, std::string_view>, 7> kErrorClassNames = {{
    {ErrorClass::kNone, ""},
    {ErrorClass::kAuth, "AUTH"},
    {ErrorClass::kRateLimit, "RATE_LIMIT"},
    {ErrorClass::kValidation, "VALIDATION"},
    {ErrorClass::kDownstream, "DOWNSTREAM"},
    {ErrorClass::kTimeout, "TIMEOUT"},
    {ErrorClass::kUnknown, "UNKNOWN"},
}};

}  // namespace

std::string_view ErrorClassName(ErrorClass c) {
  for (const auto& [cls, name] : kErrorClassNames) {
    if (cls == c) return name;
  }
  return "UNKNOWN";
}

std::optional<ErrorClass> ParseErrorClass(std::string_view name) {
  for (const auto& [cls, n] : kErrorClassNames) {
    if (n == name) return cls;
  }
  return std::nullopt;
}

bool IsRetryable(ErrorClass c) {
  switch (c) {
    case ErrorClass::kTimeout:
    case ErrorClass::kRateLimit:
    case ErrorClass::kDownstream:
    case ErrorClass::kUnknown:
      return true;
    case ErrorClass::kNone:
    case ErrorClass::kAuth:
    case ErrorClass::kValidation:
      return false;
  }
  return false;
}

bool TripsBreaker(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone:
    case ErrorClass::kAuth:
    case ErrorClass::kValidation:
      return false;
    case ErrorClass::kRateLimit:
    case ErrorClass::kDownstream:
    case ErrorClass::kTimeout:
    case ErrorClass::kUnknown:
      return true;
  }
  return false;
}

}  // namespace steward::exec
