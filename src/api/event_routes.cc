// The tenant's event feed (cursor, long-poll) and webhooks with their deliveries (SPEC §7).
#include "api/api.h"
#include "api/route_util.h"
#include "common/json.h"

namespace steward::api {

void RegisterEventRoutes(Router& r, const ApiDeps& d) {
  using auth::Role;
  auto* feed = d.feed;
  auto* wh = d.webhooks;
  Route(r, d, "GET", "/v1/events", Role::kViewer, [feed](const Call& c, Json* o, int*) {
    std::vector<std::string> types;
    for (const auto& [k, v] : c.req.query) {
      if (k != "type") continue;
      size_t start = 0;
      while (start <= v.size()) {
        size_t comma = v.find(',', start);
        std::string t = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!t.empty()) types.push_back(t);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    int64_t limit = 100, wait = 0;
    STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
    if (!c.Query("wait").empty()) STEWARD_RETURN_IF_ERROR(QueryInt(c, "wait", 0, 30, &wait));
    return feed->List(c.actor, c.Query("after"), types, static_cast<int>(limit), static_cast<int>(wait), o);
  });
  Route(r, d, "PUT", "/v1/webhooks/{id}", Role::kAdmin,
        [wh](const Call& c, Json* o, int*) { return wh->Put(c.actor, c.params.Get("id"), c.body, o); });
  Route(r, d, "GET", "/v1/webhooks/{id}", Role::kAdmin,
        [wh](const Call& c, Json* o, int*) { return wh->Get(c.actor, c.params.Get("id"), o); });
  Route(r, d, "DELETE", "/v1/webhooks/{id}", Role::kAdmin,
        [wh](const Call& c, Json* o, int*) { return wh->Delete(c.actor, c.params.Get("id"), o); });
  Route(r, d, "GET", "/v1/webhooks/{id}/deliveries", Role::kOperator, [wh](const Call& c, Json* o, int*) {
    int64_t limit = 50;
    STEWARD_RETURN_IF_ERROR(QueryInt(c, "limit", 1, 500, &limit));
    return wh->ListDeliveries(c.actor, c.params.Get("id"), c.Query("status"), static_cast<int>(limit),
                              c.Query("cursor"), o);
  });
}

}  // namespace steward::api
