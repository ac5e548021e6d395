# The contract steps around the API tests, run with `cmake -P`:
#   -DMODE=reset -DRECORDS=DIR            empty the recording directory
#   -DMODE=check -DRECORDS=DIR -DNODE=node -DSOURCE=repository root
#                                         check every DIR/*.jsonl against
#                                         openapi.yaml with validate.mjs
# The file list is globbed here, at run time, because the suites that ran
# decide which recordings exist.
if(MODE STREQUAL "reset")
  file(REMOVE_RECURSE "${RECORDS}")
  file(MAKE_DIRECTORY "${RECORDS}")
  return()
endif()

if(NOT MODE STREQUAL "check")
  message(FATAL_ERROR "contract.cmake: MODE must be reset or check, not '${MODE}'")
endif()
if(NOT NODE OR NOT EXISTS "${NODE}")
  message(FATAL_ERROR "contract: node is not installed (deploy/packages.txt lists nodejs)")
endif()
if(NOT EXISTS "${SOURCE}/tests/contract/node_modules")
  message(FATAL_ERROR "contract: ${SOURCE}/tests/contract/node_modules is missing; run `npm ci` there (deploy/test.sh does)")
endif()
file(GLOB records "${RECORDS}/*.jsonl")
if(NOT records)
  message(FATAL_ERROR "contract: no recordings in ${RECORDS}; the api tests (ctest -L api) write them")
endif()
list(SORT records)
execute_process(
  COMMAND "${NODE}" "${SOURCE}/tests/contract/validate.mjs" "${SOURCE}/openapi.yaml" ${records}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "contract: recorded responses do not match openapi.yaml (validate.mjs exit status ${rc})")
endif()
