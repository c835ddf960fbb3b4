# HTTP server peer comparison (not a ctest): Steward's HttpServer (Beast) vs cpp-httplib vs
# nginx, driven by wrk from run.sh. Included through bench/http_libs.cmake.
add_executable(http_bench_beast ${CMAKE_CURRENT_LIST_DIR}/beast_server.cc)
target_link_libraries(http_bench_beast PRIVATE steward_http)
set_target_properties(http_bench_beast PROPERTIES RUNTIME_OUTPUT_DIRECTORY
  ${CMAKE_BINARY_DIR}/bench)

# cpp-httplib is optional (Debian libcpp-httplib-dev). Debian ships it compiled, so its
# pkg-config flags (CPPHTTPLIB_*_SUPPORT) must match the library's.
find_path(HTTPLIB_INCLUDE httplib.h)
if(HTTPLIB_INCLUDE)
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(CPP_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
  endif()
  if(TARGET PkgConfig::CPP_HTTPLIB)
    add_executable(http_bench_httplib ${CMAKE_CURRENT_LIST_DIR}/httplib_server.cc)
    target_link_libraries(http_bench_httplib PRIVATE PkgConfig::CPP_HTTPLIB Threads::Threads)
    set_target_properties(http_bench_httplib PROPERTIES RUNTIME_OUTPUT_DIRECTORY
      ${CMAKE_BINARY_DIR}/bench)
  endif()
endif()
