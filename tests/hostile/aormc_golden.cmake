# Runs the real aormc on one hostile input and checks its golden diagnostics.
#   -DAORMC=<aormc> -DDIR=<folder of the input> -DCASE=<NAME.yaml> -DOUT=<scratch dir>
#   [-DGENERATE_HUGE=ON: write DIR/CASE first (DIR is then a scratch folder)]
# An input with a non-empty NAME.stderr beside it must make aormc exit 1, print exactly that
# file, write nothing, and locate every diagnostic (NAME.yaml:LINE:COL:). An empty
# NAME.stderr marks a valid input: exit 0, no output on stderr, the three files written.
cmake_minimum_required(VERSION 3.25)

string(REGEX REPLACE "\\.yaml$" "" name "${CASE}")

if(GENERATE_HUGE)
  # ~5 MB: a long comment, 500 valid models, then a field of an unknown type on the last line.
  file(MAKE_DIRECTORY "${DIR}")
  string(REPEAT "# padding padding padding padding padding padding padding padding padding\n" 70000 text)
  string(APPEND text "namespace: huge\nmodels:\n")
  foreach(i RANGE 1 500)
    string(APPEND text "  M${i}:\n    fields:\n      a: { type: int64, default: ${i} }\n"
                       "      b: { type: string, max_length: 20, null: true }\n")
  endforeach()
  string(APPEND text "  Last:\n    fields:\n      bad: { type: wat }\n")
  file(WRITE "${DIR}/${CASE}" "${text}")
  # 70000 comment lines + 2 + 500 * 4 + 2 lines before the bad field.
  math(EXPR line "70000 + 2 + 500 * 4 + 3")
  set(expected "${CASE}:${line}:20: error: unknown field type 'wat'\n")
else()
  file(READ "${DIR}/${name}.stderr" expected)
endif()

file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
execute_process(COMMAND "${AORMC}" generate "${CASE}" --out "${OUT}"
                WORKING_DIRECTORY "${DIR}"
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out TIMEOUT 60)
file(GLOB_RECURSE written RELATIVE "${OUT}" "${OUT}/*")

if(expected STREQUAL "")
  if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
    message(FATAL_ERROR "aormc should accept ${CASE}; it exited with '${rc}':\n${err}")
  endif()
  list(LENGTH written n)
  if(NOT n EQUAL 3)
    message(FATAL_ERROR "aormc should have written three files for ${CASE}, wrote: ${written}")
  endif()
  return()
endif()

if(NOT rc EQUAL 1)
  message(FATAL_ERROR "aormc exited with '${rc}' on ${CASE}, expected 1 (a crash is a signal name)\n${err}")
endif()
if(written)
  message(FATAL_ERROR "aormc wrote files for the bad input ${CASE}: ${written}")
endif()
if(NOT out STREQUAL "")
  message(FATAL_ERROR "aormc printed on stdout for ${CASE}:\n${out}")
endif()
string(REPLACE "\n" ";" lines "${err}")
foreach(l IN LISTS lines)
  if(NOT l STREQUAL "" AND NOT l MATCHES "^${name}\\.yaml:[0-9]+:[0-9]+: (error|note|warning): ")
    message(FATAL_ERROR "a diagnostic for ${CASE} has no file:line:col location:\n${l}")
  endif()
endforeach()
if(NOT err STREQUAL expected)
  message(FATAL_ERROR "aormc's diagnostics for ${CASE} differ from ${name}.stderr.\n"
                      "--- expected\n${expected}--- got\n${err}")
endif()
