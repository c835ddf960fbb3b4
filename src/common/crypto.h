#pragma once
// Hashing, HMAC, randomness and encodings over OpenSSL. Thread-safe.

#include <memory>
#include <string>
#include <string_view>

namespace steward {

std::string HexEncode(std::string_view bytes);
// Raw SHA-256 digest (32 bytes) and its lowercase hex form.
std::string Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA256 (32 bytes) and its lowercase hex form.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha256Hex(std::string_view key, std::string_view data);
// `n` cryptographically random bytes.
std::string RandomBytes(size_t n);
// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);
// Base64url without padding (RFC 7515 §2) and back; Decode returns false on bad input.
std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string* out);

// Incremental SHA-256 for data that is streamed (export files). Not thread-safe.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  // The lowercase hex digest of everything given; the stream is then spent.
  std::string FinalHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace steward
