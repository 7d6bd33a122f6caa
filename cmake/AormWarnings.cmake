# aorm_project_target(<target>): warnings, sanitizers and the g++ coroutine workaround for
# aorm's own targets (not for consumers' targets).
function(aorm_project_target target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 does not make symmetric transfer a guaranteed tail call; at -O0 a loop of
    # synchronously completing co_awaits would overflow the stack (TOOLCHAIN.md, bug 1).
    target_compile_options(${target} PRIVATE $<$<CONFIG:Debug>:-foptimize-sibling-calls>)
    # g++ warns about clang::annotate under -Wall; the attribute is guarded, but be explicit.
    target_compile_options(${target} PRIVATE -Wno-attributes)
  endif()
  if(AORM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${AORM_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${AORM_SANITIZE})
  endif()
endfunction()
