# Resource routes of the API (the lead's part of src/api); the transport is steward_http.
add_library(steward_api STATIC ${CMAKE_CURRENT_SOURCE_DIR}/metrics.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/route_util.cc ${CMAKE_CURRENT_SOURCE_DIR}/intents_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config_routes.cc ${CMAKE_CURRENT_SOURCE_DIR}/ledger_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/ops_routes.cc ${CMAKE_CURRENT_SOURCE_DIR}/execution_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/decision_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/audit_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/event_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/openapi_routes.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/web_routes.cc)

# The Control Center (web/) is embedded at build time: web_embed.cmake turns every served file
# into a byte array in web_assets.inc, which web_routes.cc includes. Editing a file under web/
# regenerates it; adding or removing one re-runs the glob (CONFIGURE_DEPENDS).
file(GLOB_RECURSE steward_web_files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/web/*)
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/web_assets.inc
  COMMAND ${CMAKE_COMMAND} -DWEB_DIR=${PROJECT_SOURCE_DIR}/web
          -DOUTPUT=${CMAKE_CURRENT_BINARY_DIR}/web_assets.inc
          -P ${CMAKE_CURRENT_SOURCE_DIR}/web_embed.cmake
  DEPENDS ${steward_web_files} ${CMAKE_CURRENT_SOURCE_DIR}/web_embed.cmake
  COMMENT "Embedding the Control Center (web/)"
  VERBATIM)
target_sources(steward_api PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/web_assets.inc)
target_include_directories(steward_api PRIVATE ${CMAKE_CURRENT_BINARY_DIR})

target_link_libraries(steward_api PUBLIC steward_http steward_auth steward_autonomy steward_exec steward_decision steward_audit steward_events steward_ledger
  steward_store steward_common)

steward_test(openapi_test SOURCES openapi_test.cc LIBS steward_api)
if(TARGET openapi_test)
  target_compile_definitions(openapi_test PRIVATE STEWARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
