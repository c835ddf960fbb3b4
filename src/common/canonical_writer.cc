#include "common/canonical_writer.h"

#include <charconv>
#include <stdexcept>

#include "common/json.h"

namespace steward {
namespace {

// Bytes written as they are inside a JSON string by CanonicalJson: printable ASCII except the
// two that are escaped.
bool Plain(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace

void CanonicalWriter::AppendString(std::string* out, std::string_view value) {
  if (Plain(value)) {
    out->reserve(out->size() + value.size() + 2);
    out->push_back('"');
    out->append(value);
    out->push_back('"');
    return;
  }
  // Escapes, control characters, UTF-8 (and the replacement of invalid UTF-8) exactly as
  // CanonicalJson writes them.
  out->append(CanonicalJson(Json(std::string(value))));
}

void CanonicalWriter::Key(std::string_view key) {
  if (stack_.empty() || !stack_.back().object) {
    throw std::logic_error("canonical JSON: member '" + std::string(key) + "' outside an object");
  }
  if (key.empty() || !Plain(key)) {
    throw std::logic_error("canonical JSON: key '" + std::string(key) + "' is not plain ASCII");
  }
  Level& level = stack_.back();
  if (!level.empty) {
    std::string_view last(out_.data() + level.key_pos, level.key_len);
    if (!(last < key)) {
      throw std::logic_error("canonical JSON: key '" + std::string(key) + "' after '" +
                             std::string(last) + "' is out of order");
    }
    out_.push_back(',');
  }
  level.empty = false;
  out_.push_back('"');
  level.key_pos = out_.size();
  level.key_len = key.size();
  out_.append(key);
  out_.append("\":");
}

void CanonicalWriter::Item() {
  if (stack_.empty()) {
    if (top_written_) throw std::logic_error("canonical JSON: a second top-level value");
    top_written_ = true;
    return;
  }
  Level& level = stack_.back();
  if (level.object) throw std::logic_error("canonical JSON: a value without a key in an object");
  if (!level.empty) out_.push_back(',');
  level.empty = false;
}

CanonicalWriter& CanonicalWriter::Open(char bracket, bool object) {
  out_.push_back(bracket);
  Level level;
  level.object = object;
  stack_.push_back(level);
  return *this;
}

CanonicalWriter& CanonicalWriter::Close(char bracket, bool object) {
  if (stack_.empty() || stack_.back().object != object) {
    throw std::logic_error(std::string("canonical JSON: unbalanced '") + bracket + "'");
  }
  stack_.pop_back();
  out_.push_back(bracket);
  return *this;
}

CanonicalWriter& CanonicalWriter::Str(std::string_view key, std::string_view value) {
  Key(key);
  AppendString(&out_, value);
  return *this;
}

CanonicalWriter& CanonicalWriter::Int(std::string_view key, int64_t value) {
  Key(key);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out_.append(buf, r.ptr);
  return *this;
}

CanonicalWriter& CanonicalWriter::Num(std::string_view key, double value) {
  Key(key);
  out_.append(Json(value).dump());  // nlohmann's shortest round-trip form ("0.7", "1e-07", "100.0")
  return *this;
}

CanonicalWriter& CanonicalWriter::Bool(std::string_view key, bool value) {
  Key(key);
  out_.append(value ? "true" : "false");
  return *this;
}

CanonicalWriter& CanonicalWriter::Null(std::string_view key) {
  Key(key);
  out_.append("null");
  return *this;
}

CanonicalWriter& CanonicalWriter::Raw(std::string_view key, std::string_view canonical) {
  Key(key);
  out_.append(canonical);
  return *this;
}

CanonicalWriter& CanonicalWriter::OptStr(std::string_view key,
                                         const std::optional<std::string>& value) {
  return value ? Str(key, *value) : Null(key);
}

CanonicalWriter& CanonicalWriter::OptInt(std::string_view key,
                                         const std::optional<int64_t>& value) {
  return value ? Int(key, *value) : Null(key);
}

CanonicalWriter& CanonicalWriter::OptNum(std::string_view key, const std::optional<double>& value) {
  return value ? Num(key, *value) : Null(key);
}

CanonicalWriter& CanonicalWriter::StrArray(std::string_view key,
                                           const std::vector<std::string>& values) {
  BeginArray(key);
  for (const std::string& v : values) StrItem(v);
  return EndArray();
}

CanonicalWriter& CanonicalWriter::BeginObject(std::string_view key) {
  Key(key);
  return Open('{', true);
}

CanonicalWriter& CanonicalWriter::BeginArray(std::string_view key) {
  Key(key);
  return Open('[', false);
}

CanonicalWriter& CanonicalWriter::BeginObject() {
  Item();
  return Open('{', true);
}

CanonicalWriter& CanonicalWriter::BeginArray() {
  Item();
  return Open('[', false);
}

CanonicalWriter& CanonicalWriter::BeginObjectOrValue(std::string_view key) {
  return key.empty() ? BeginObject() : BeginObject(key);
}

CanonicalWriter& CanonicalWriter::StrItem(std::string_view value) {
  Item();
  AppendString(&out_, value);
  return *this;
}

CanonicalWriter& CanonicalWriter::RawItem(std::string_view canonical) {
  Item();
  out_.append(canonical);
  return *this;
}

CanonicalWriter& CanonicalWriter::EndObject() { return Close('}', true); }

CanonicalWriter& CanonicalWriter::EndArray() { return Close(']', false); }

std::string CanonicalWriter::Take() {
  if (!stack_.empty()) throw std::logic_error("canonical JSON: an object or array is still open");
  std::string out = std::move(out_);
  out_.clear();
  top_written_ = false;
  return out;
}

}  // namespace steward
