#pragma once
// Canonical JSON written straight into a string, for the records the write path builds on every
// request (ledger data, stored gate decisions, job payloads). It produces byte for byte what
// CanonicalJson (common/json.h, docs/LEDGER_FORMAT.md) makes of the same value, without building
// an nlohmann DOM first: no node allocations, no map insertions, one pass.
//
// Object members must be written in the byte order of their keys, the order CanonicalJson sorts
// them into. A key that does not come after the one before it in its object, or that is not
// plain printable ASCII, throws std::logic_error: a programming error, which the tests of each
// record's writer catch. (The store's writer turns an exception into a failed transaction.)
//
//   CanonicalWriter w;
//   w.BeginObject().Str("a", "x").BeginObject("b").Int("n", 1).EndObject().EndObject();
//   std::string text = w.Take();  // {"a":"x","b":{"n":1}}

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace steward {

class CanonicalWriter {
 public:
  // Members of the innermost open object.
  CanonicalWriter& Str(std::string_view key, std::string_view value);
  CanonicalWriter& Int(std::string_view key, int64_t value);
  CanonicalWriter& Num(std::string_view key, double value);  // as nlohmann writes a double
  CanonicalWriter& Bool(std::string_view key, bool value);
  CanonicalWriter& Null(std::string_view key);
  // `canonical` must already be canonical JSON (a value stored in that form, for one).
  CanonicalWriter& Raw(std::string_view key, std::string_view canonical);
  // null when absent.
  CanonicalWriter& OptStr(std::string_view key, const std::optional<std::string>& value);
  CanonicalWriter& OptInt(std::string_view key, const std::optional<int64_t>& value);
  CanonicalWriter& OptNum(std::string_view key, const std::optional<double>& value);
  CanonicalWriter& StrArray(std::string_view key, const std::vector<std::string>& values);
  CanonicalWriter& BeginObject(std::string_view key);
  CanonicalWriter& BeginArray(std::string_view key);

  // Values without a key: the top-level value, or an element of the innermost open array.
  CanonicalWriter& BeginObject();
  CanonicalWriter& BeginArray();
  // The member `key`, or a value when `key` is empty: for record writers used both ways.
  CanonicalWriter& BeginObjectOrValue(std::string_view key);
  CanonicalWriter& StrItem(std::string_view value);
  CanonicalWriter& RawItem(std::string_view canonical);

  CanonicalWriter& EndObject();
  CanonicalWriter& EndArray();

  // The text so far; complete once every object and array is closed.
  const std::string& text() const { return out_; }
  // Moves the text out; throws std::logic_error while an object or array is open.
  std::string Take();

  // Appends `value` as a canonical JSON string (quotes included) to `out`.
  static void AppendString(std::string* out, std::string_view value);

 private:
  struct Level {
    bool object = false;
    bool empty = true;
    size_t key_pos = 0;  // where the last key's bytes start in out_ (objects)
    size_t key_len = 0;
  };

  void Key(std::string_view key);  // a member's key, checked against the last
  void Item();                     // the separator before an array element or the top value
  CanonicalWriter& Open(char bracket, bool object);
  CanonicalWriter& Close(char bracket, bool object);

  std::string out_;
  std::vector<Level> stack_;
  bool top_written_ = false;
};

}  // namespace steward
