# Resource routes of the API (the lead's part of src/api); the transport is steward_http.
add_library(steward_api STATIC ${CMAKE_CURRENT_SOURCE_DIR}/metrics.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/route_util.cc ${CMAKE_CURRENT_SOURCE_DIR}/intents_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config_routes.cc ${CMAKE_CURRENT_SOURCE_DIR}/ledger_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/ops_routes.cc ${CMAKE_CURRENT_SOURCE_DIR}/execution_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/decision_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/audit_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/event_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/openapi_routes.cc)
target_link_libraries(steward_api PUBLIC steward_http steward_auth steward_autonomy steward_exec steward_decision steward_audit steward_events steward_ledger
  steward_store steward_common)

steward_test(openapi_test SOURCES openapi_test.cc LIBS steward_api)
if(TARGET openapi_test)
  target_compile_definitions(openapi_test PRIVATE STEWARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
