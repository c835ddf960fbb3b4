# pg_bench: the gate and the cross-node execution wake-up on PostgreSQL (bench/pg/run.sh).
if(STEWARD_WITH_POSTGRES)
  add_executable(pg_bench ${CMAKE_CURRENT_LIST_DIR}/pg_bench.cc)
  target_link_libraries(pg_bench PRIVATE steward_exec)
  if(TARGET PkgConfig::JEMALLOC)
    target_link_libraries(pg_bench PRIVATE PkgConfig::JEMALLOC)
  endif()
endif()
