# The cluster drills (test_cluster.c): three alurd instances behind HAProxy on
# a Patroni-managed PostgreSQL, brought up by deploy/cluster/cluster.sh. Only
# in the normal build: the sanitizer pass would run the same drills against
# an instrumented daemon at many times the cost, on a machine the cluster
# already loads. Every test runs alone (RUN_SERIAL): a drill's figures are
# only meaningful when nothing else competes for the CPU. The fixture
# `cluster` brings a fresh cluster up before the first drill (cluster_up) and
# destroys it after the last (cluster_down), so the drills share one start.
# The drills' exchanges are not recorded for the contract check (a 503 may be
# HAProxy's own), so they do not join the api_records fixture.
if(NOT ALURD_SANITIZE)
  add_executable(test_cluster test_cluster.c)
  target_link_libraries(test_cluster PRIVATE alurd_testsupport)
  target_compile_definitions(test_cluster PRIVATE ALURD_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    ALURD_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}")

  set(ALURD_CLUSTER_ENV "ALURD_CLUSTER_BIN=$<TARGET_FILE:alurd>")
  add_test(NAME cluster_up
    COMMAND sh -c "\"$0\" destroy && \"$0\" up" ${CMAKE_SOURCE_DIR}/deploy/cluster/cluster.sh)
  set_tests_properties(cluster_up PROPERTIES
    LABELS cluster FIXTURES_SETUP cluster RUN_SERIAL TRUE TIMEOUT 300 ENVIRONMENT "${ALURD_CLUSTER_ENV}")
  add_test(NAME cluster_down COMMAND ${CMAKE_SOURCE_DIR}/deploy/cluster/cluster.sh destroy)
  set_tests_properties(cluster_down PROPERTIES
    LABELS cluster FIXTURES_CLEANUP cluster RUN_SERIAL TRUE TIMEOUT 180)

  foreach(suite IN ITEMS cluster_freshness cluster_failover cluster_rolling cluster_instance_loss)
    add_test(NAME ${suite} COMMAND test_cluster ${suite})
    set_tests_properties(${suite} PROPERTIES
      LABELS cluster FIXTURES_REQUIRED cluster RUN_SERIAL TRUE TIMEOUT 420 ENVIRONMENT "${ALURD_CLUSTER_ENV}")
  endforeach()
  # the rolling restart and the instance loss come after the failover (which
  # leaves the database cluster healed, the old primary a standby)
  set_tests_properties(cluster_failover PROPERTIES DEPENDS cluster_freshness)
  set_tests_properties(cluster_rolling PROPERTIES DEPENDS cluster_failover)
  set_tests_properties(cluster_instance_loss PROPERTIES DEPENDS cluster_rolling)
endif()
