# The SLA engine's API tests (test_sla.c): deadlines, the timer thread (also
# with two daemons on one database), pauses, policy versions, holidays, the
# overdue list and the compliance summary. Included from CMakeLists.txt, which
# defines ALURD_RECORDS and the api_records fixture; one ctest per Check suite.
add_executable(test_sla test_sla.c)
target_link_libraries(test_sla PRIVATE alurd_testsupport)
foreach(suite IN ITEMS sla_timer sla_instances sla_pause sla_policy sla_calendar sla_reports)
  alurd_api_test(api_${suite} 180 test_sla ${suite})
endforeach()
