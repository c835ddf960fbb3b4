include(${CMAKE_CURRENT_LIST_DIR}/http_libs/http_libs.cmake)
