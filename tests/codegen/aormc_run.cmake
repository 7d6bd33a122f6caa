# Runs the real aormc: a bad file must exit 1 and leave the output directory empty; the
# good file (the control) must exit 0 and write both files.
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")

execute_process(COMMAND "${AORMC}" generate "${BAD}" --out "${OUT}"
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "aormc generate on a bad file exited with '${rc}', expected 1\n${err}")
endif()
if(NOT err MATCHES "error: unknown field type")
  message(FATAL_ERROR "aormc did not print the diagnostic; stderr was:\n${err}")
endif()
file(GLOB_RECURSE written "${OUT}/*")
if(written)
  message(FATAL_ERROR "aormc wrote files for a bad model file: ${written}")
endif()

execute_process(COMMAND "${AORMC}" generate "${GOOD}" --out "${OUT}"
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "aormc generate on ${GOOD} exited with '${rc}'\n${err}")
endif()
foreach(f blog/models.hpp blog/models.cpp)
  if(NOT EXISTS "${OUT}/${f}")
    message(FATAL_ERROR "aormc did not write ${f}")
  endif()
endforeach()
file(GLOB_RECURSE written RELATIVE "${OUT}" "${OUT}/*")
list(LENGTH written n)
if(NOT n EQUAL 2)
  message(FATAL_ERROR "aormc left more than its two files behind: ${written}")
endif()
