#include "common/json.h"

#include <cmath>

namespace steward {
namespace {
constexpr int kMaxDepth = 64;

std::string Field(std::string_view f) { return std::string(f); }

}  // namespace

Json JsonObject(std::initializer_list<JsonMember> members) {
  Json out(Json::value_t::object);
  auto& object = out.get_ref<Json::object_t&>();
  for (const JsonMember& m : members) object.emplace(std::string(m.key), std::move(m.value));
  return out;
}

std::string CanonicalJson(const Json& value) {
  // nlohmann::json keeps object keys in a std::map (byte order) and dump() without indent emits
  // no whitespace; non-ASCII stays UTF-8. Invalid UTF-8 cannot reach here (parsing rejects it).
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Json> ParseJson(std::string_view text) {
  int depth = 0;
  bool too_deep = false;
  auto cb = [&](int d, Json::parse_event_t ev, Json&) {
    if (ev == Json::parse_event_t::object_start || ev == Json::parse_event_t::array_start) {
      if (d + 1 > kMaxDepth) too_deep = true;
    }
    depth = d;
    return !too_deep;
  };
  Json j = Json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
  if (too_deep) return Status::InvalidArgument("malformed JSON: nesting deeper than 64 levels");
  if (j.is_discarded()) return Status::InvalidArgument("malformed JSON body");
  return j;
}

Result<Json> ParseJsonObject(std::string_view text) {
  auto r = ParseJson(text);
  if (!r.ok()) return r;
  if (!r->is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return r;
}

Status RejectUnknownFields(const Json& obj, std::initializer_list<std::string_view> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (auto a : allowed) {
      if (it.key() == a) {
        ok = true;
        break;
      }
    }
    if (!ok) return Status::InvalidArgument("unknown field '" + it.key() + "'", it.key());
  }
  return Status::Ok();
}

Status GetString(const Json& obj, std::string_view field, std::string* out) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) {
    return Status::InvalidArgument(Field(field) + " is required", Field(field));
  }
  if (!it->is_string()) return Status::InvalidArgument(Field(field) + " must be a string", Field(field));
  *out = it->get<std::string>();
  return Status::Ok();
}

Status GetOptionalString(const Json& obj, std::string_view field, std::string* out,
                         bool* present) {
  if (present) *present = false;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Status::InvalidArgument(Field(field) + " must be a string", Field(field));
  *out = it->get<std::string>();
  if (present) *present = true;
  return Status::Ok();
}

Status GetOptionalBool(const Json& obj, std::string_view field, bool* out, bool* present) {
  if (present) *present = false;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_boolean()) return Status::InvalidArgument(Field(field) + " must be a boolean", Field(field));
  *out = it->get<bool>();
  if (present) *present = true;
  return Status::Ok();
}

Status GetOptionalInt(const Json& obj, std::string_view field, int64_t* out, int64_t min,
                      int64_t max, bool* present) {
  if (present) *present = false;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  int64_t v = 0;
  if (it->is_number_integer()) {
    if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Status::InvalidArgument(Field(field) + " is out of range", Field(field));
    }
    v = it->get<int64_t>();
  } else if (it->is_number_float()) {
    double d = it->get<double>();
    if (!std::isfinite(d) || std::floor(d) != d || d < -9e15 || d > 9e15) {
      return Status::InvalidArgument(Field(field) + " must be an integer", Field(field));
    }
    v = static_cast<int64_t>(d);
  } else {
    return Status::InvalidArgument(Field(field) + " must be an integer", Field(field));
  }
  if (v < min || v > max) {
    return Status::InvalidArgument(Field(field) + " must be between " + std::to_string(min) +
                                       " and " + std::to_string(max),
                                   Field(field));
  }
  *out = v;
  if (present) *present = true;
  return Status::Ok();
}

Status GetOptionalNumber(const Json& obj, std::string_view field, double* out, bool* present) {
  if (present) *present = false;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return Status::InvalidArgument(Field(field) + " must be a number", Field(field));
  double d = it->get<double>();
  if (!std::isfinite(d)) return Status::InvalidArgument(Field(field) + " must be finite", Field(field));
  *out = d;
  if (present) *present = true;
  return Status::Ok();
}

Status GetOptionalObject(const Json& obj, std::string_view field, Json* out, bool* present) {
  if (present) *present = false;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Status::InvalidArgument(Field(field) + " must be an object", Field(field));
  *out = *it;
  if (present) *present = true;
  return Status::Ok();
}

Status GetOptionalStringArray(const Json& obj, std::string_view field,
                              std::vector<std::string>* out, bool* present) {
  if (present) *present = false;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) {
    return Status::InvalidArgument(Field(field) + " must be an array of strings", Field(field));
  }
  out->clear();
  for (const auto& e : *it) {
    if (!e.is_string()) {
      return Status::InvalidArgument(Field(field) + " must be an array of strings", Field(field));
    }
    out->push_back(e.get<std::string>());
  }
  if (present) *present = true;
  return Status::Ok();
}

}  // namespace steward
