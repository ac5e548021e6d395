# The SLA engine's API tests (test_sla.c): deadlines, the timer thread (also
# with two daemons on one database), pauses, policy versions, holidays, the
# overdue list and the compliance summary. Included from CMakeLists.txt, which
# defines ALURD_RECORDS and the api_records fixture; one ctest per Check suite.
add_executable(test_sla test_sla.c)
target_link_libraries(test_sla PRIVATE alurd_testsupport)
foreach(suite IN ITEMS sla_timer sla_instances sla_pause sla_policy sla_calendar sla_reports)
  add_test(NAME api_${suite} COMMAND test_sla ${suite})
  set_tests_properties(api_${suite} PROPERTIES
    LABELS api
    ENVIRONMENT "ALURD_TEST_RECORD_DIR=${ALURD_RECORDS}"
    FIXTURES_REQUIRED api_records
    TIMEOUT 180)
endforeach()
