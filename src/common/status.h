#pragma once
// Status and Result<T>: the error model of every Steward module (STYLE.md §3).
// No exception crosses a module boundary; fallible functions return one of these.
// Expected outcomes (a duplicate key, an exhausted budget, a lost lease) are values, not errors.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace steward {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // 400
  kUnauthenticated,    // 401
  kPermissionDenied,   // 403
  kNotFound,           // 404
  kConflict,           // 409
  kGone,               // 410 (expired download links)
  kResourceExhausted,  // 429
  kUnavailable,        // 503
  kInternal,           // 500
};

// Name of a code, e.g. "INVALID_ARGUMENT" (the wire name of SPEC §10).
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, std::string field = {}) {
    return Status(Code::kInvalidArgument, std::move(msg), std::move(field));
  }
  static Status Unauthenticated(std::string msg) {
    return Status(Code::kUnauthenticated, std::move(msg));
  }
  static Status PermissionDenied(std::string msg) {
    return Status(Code::kPermissionDenied, std::move(msg));
  }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Conflict(std::string msg) { return Status(Code::kConflict, std::move(msg)); }
  static Status Gone(std::string msg) { return Status(Code::kGone, std::move(msg)); }
  static Status ResourceExhausted(std::string msg, int retry_after_seconds = 1) {
    Status s(Code::kResourceExhausted, std::move(msg));
    s.retry_after_seconds_ = retry_after_seconds;
    return s;
  }
  static Status Unavailable(std::string msg) { return Status(Code::kUnavailable, std::move(msg)); }
  static Status Internal(std::string msg) { return Status(Code::kInternal, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& field() const { return field_; }
  // For kResourceExhausted: seconds the client should wait (Retry-After).
  int retry_after_seconds() const { return retry_after_seconds_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  int retry_after_seconds_ = 0;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace steward

// Returns early with the Status of `expr` when it is not OK.
#define STEWARD_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::steward::Status _st = (expr);              \
    if (!_st.ok()) return _st;                   \
  } while (0)

#define STEWARD_CONCAT_INNER(a, b) a##b
#define STEWARD_CONCAT(a, b) STEWARD_CONCAT_INNER(a, b)
// Declares `lhs` from a Result expression, or returns its Status.
#define STEWARD_ASSIGN_OR_RETURN(lhs, expr) \
  STEWARD_ASSIGN_OR_RETURN_IMPL(STEWARD_CONCAT(_res_, __LINE__), lhs, expr)
#define STEWARD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
