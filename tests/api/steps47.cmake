# SOP steps 4-7 (discussions, the PD's completion rounds, the Berita Acara and
# the Surat Tugas): one program and one ctest per Check suite, all sharing
# steps47.c (the people of the procedure and the calls that drive a request
# to any point of steps 4-7). Included from tests/api/CMakeLists.txt, which
# defines ALURD_RECORDS and the api_records fixture.
set(ALURD_STEPS47_SUITES lifecycle agreements signing_race events screens delegations)
foreach(suite IN LISTS ALURD_STEPS47_SUITES)
  add_executable(test_${suite} ${CMAKE_CURRENT_LIST_DIR}/test_${suite}.c ${CMAKE_CURRENT_LIST_DIR}/steps47.c)
  target_link_libraries(test_${suite} PRIVATE alurd_testsupport PkgConfig::SODIUM)
  alurd_api_test(api_${suite} 180 test_${suite})
endforeach()
# the delegations program's second suite: a daemon that lets a delegate sign their own draft
alurd_api_test(api_delegations_own_draft 180 test_delegations own_draft)
# the event suite checks the feed against the catalogue the daemon uses
target_link_libraries(test_events PRIVATE alurd_core)
set_tests_properties(api_events PROPERTIES TIMEOUT 300)

# The tamper-evident audit log, the evidence pack and the period report
# (test_audit.c): the same people, plus Python (tests/api/merkle_check.py,
# tar_tamper.py) as an implementation independent of alurd's.
add_executable(test_audit ${CMAKE_CURRENT_LIST_DIR}/test_audit.c ${CMAKE_CURRENT_LIST_DIR}/steps47.c)
target_link_libraries(test_audit PRIVATE alurd_testsupport PkgConfig::SODIUM)
target_compile_definitions(test_audit PRIVATE ALURD_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
alurd_api_test(api_audit 600 test_audit)
# screens walks every state x every role (about 3 000 calls): generous under ASan
set_tests_properties(api_screens PROPERTIES TIMEOUT 900)
