#include "auth/jwt_claims.h"

#include <string>

namespace steward::auth {

Status ValidateHs256Secret(std::string_view secret) {
  if (secret.size() < kMinHs256SecretBytes) {
    return Status::InvalidArgument("the HS256 secret must be at least " +
                                   std::to_string(kMinHs256SecretBytes) + " bytes");
  }
  if (secret.find("-----BEGIN") != std::string_view::npos) {
    return Status::InvalidArgument("the HS256 secret must not be a PEM document");
  }
  return Status::Ok();
}

bool IsValidSubject(std::string_view subject) {
  if (subject.empty() || subject.size() > kMaxSubjectBytes) return false;
  for (char c : subject) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

}  // namespace steward::auth
