// aorm/detail/compiler_check.hpp — stops a g++ older than 13 with one message (included by
// the public headers). g++ 12 miscompiles the coroutine code aorm's API invites
// (README.md, "Compilers"): this is the same check aormConfig.cmake makes at configure
// time, for builds that do not use CMake. Define AORM_ALLOW_GCC12 to compile anyway (aorm's
// own g++ compile check does; the bugs remain).
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13 && !defined(AORM_ALLOW_GCC12)
#error "aorm: g++ 12 miscompiles the coroutine code aorm is used with; build with clang++-19 (Debian: apt install clang-19). g++ 12's bugs: (1) symmetric transfer is not a guaranteed tail call, so a loop of co_awaits overflows the stack; (2) a braced temporary inside a co_await expression is destroyed twice ('munmap_chunk(): invalid pointer'); (3) an std::initializer_list inside a co_await expression does not compile ('array used as initializer'). -DAORM_ALLOW_GCC12 compiles anyway at your own risk."
#endif
