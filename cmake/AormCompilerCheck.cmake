# aorm_check_compiler(): stops a configure with g++ older than 13, which miscompiles the
# coroutine code aorm's API invites (TOOLCHAIN.md, the README's "Compilers"), with one
# message that names the bugs and the fix. Used by aorm's own CMakeLists.txt and by the
# installed aormConfig.cmake, so a consumer hears it at configure time, not as
# "array used as initializer" at a closing brace or a crash at run time.
#
# AORM_ALLOW_GCC12=ON skips it (and defines AORM_ALLOW_GCC12 for the headers' #error in
# <aorm/detail/compiler_check.hpp>): `./dev gcc` uses it to check that aorm's own code
# still compiles with g++ 12.
include_guard(GLOBAL)

function(aorm_check_compiler)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU" OR CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 13)
    return()
  endif()
  if(AORM_ALLOW_GCC12)
    message(STATUS "aorm: g++ ${CMAKE_CXX_COMPILER_VERSION} allowed by AORM_ALLOW_GCC12 (compile check only; its coroutine bugs remain)")
    return()
  endif()
  message(FATAL_ERROR
    "aorm: g++ ${CMAKE_CXX_COMPILER_VERSION} miscompiles the coroutine code aorm is used with; "
    "configure with clang++-19 instead (Debian: apt install clang-19; "
    "cmake -DCMAKE_CXX_COMPILER=clang++-19 ...). g++ 12's bugs: "
    "(1) symmetric transfer is not a guaranteed tail call, so a loop of co_awaits overflows the stack; "
    "(2) a braced temporary inside a co_await expression is destroyed twice "
    "(co_await Article::objects.acreate({...}) aborts with 'munmap_chunk(): invalid pointer'); "
    "(3) an std::initializer_list inside a co_await expression does not compile "
    "('array used as initializer'). "
    "-DAORM_ALLOW_GCC12=ON skips this check at your own risk.")
endfunction()
