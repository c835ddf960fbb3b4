# Embeds the Control Center's static files (web/) into the binary. Run at build time in script
# mode by the custom command in routes.cmake:
#   cmake -DWEB_DIR=<repo>/web -DOUTPUT=<build>/web_assets.inc -P web_embed.cmake
# It writes OUTPUT, a C++ fragment included by src/api/web_routes.cc inside its namespace: one
# byte array per file and the table
#   constexpr EmbeddedFile kWebFiles[] = {{"index.html", kWebFile0, 1234}, …};
# sorted by path. Only files whose extension the server knows how to serve are embedded (so
# web/README.md stays in the tree); hidden files are skipped.
cmake_minimum_required(VERSION 3.25)
if(NOT WEB_DIR OR NOT OUTPUT)
  message(FATAL_ERROR "usage: cmake -DWEB_DIR=DIR -DOUTPUT=FILE -P web_embed.cmake")
endif()

set(served_extensions html css js svg png ico json txt woff2)
file(GLOB_RECURSE files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT files)

set(arrays "")
set(table "")
set(index 0)
foreach(rel IN LISTS files)
  if(rel MATCHES "(^|/)\\.")
    continue()
  endif()
  get_filename_component(ext "${rel}" LAST_EXT)
  string(TOLOWER "${ext}" ext)
  string(REGEX REPLACE "^\\." "" ext "${ext}")
  if(NOT ext IN_LIST served_extensions)
    continue()
  endif()
  if(rel MATCHES "[\"\\\\]")
    message(FATAL_ERROR "web/${rel}: a served file name may not contain quotes or backslashes")
  endif()
  file(READ "${WEB_DIR}/${rel}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  if(size EQUAL 0)
    set(bytes "0x00")  # an array cannot be empty; the table's size says 0
  else()
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    # 32 bytes per line keeps the generated file readable in a diff or a debugger.
    string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n    " bytes "${bytes}")
  endif()
  string(APPEND arrays "// web/${rel}\nconstexpr unsigned char kWebFile${index}[] = {\n    ${bytes}};\n")
  string(APPEND table "    {\"${rel}\", kWebFile${index}, ${size}},\n")
  math(EXPR index "${index} + 1")
endforeach()

if(index EQUAL 0)
  message(FATAL_ERROR "${WEB_DIR} holds no file to serve")
endif()

set(content "// Generated from web/ by src/api/web_embed.cmake at build time. Do not edit.\n")
string(APPEND content "${arrays}\nconstexpr EmbeddedFile kWebFiles[] = {\n${table}};\n")
file(WRITE "${OUTPUT}" "${content}")
