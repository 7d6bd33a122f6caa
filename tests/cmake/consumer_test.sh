#!/usr/bin/env bash
# Builds and runs tests/cmake/consumer against aorm.
#   consumer_test.sh installed    SRC BUILD WORK CXX   -- cmake --install BUILD, then find_package(aorm)
#   consumer_test.sh subdirectory SRC BUILD WORK CXX   -- add_subdirectory(SRC)
#   consumer_test.sh deb          SRC BUILD WORK CXX   -- cpack -G DEB in BUILD, dpkg -x the .deb
#                                                         into a scratch root, find_package(aorm) there
#   consumer_test.sh gcc12        SRC BUILD WORK GXX   -- configuring with g++ 12 must stop with the
#                                                         compiler guard's message, installed and as a
#                                                         subdirectory (nothing is built)
set -euo pipefail
mode=$1 src=$2 build=$3 work=$4 cxx=$5
rm -rf "$work"; mkdir -p "$work"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
case $mode in
  installed)
    cmake --install "$build" --prefix "$work/prefix" >/dev/null
    cmake -S "$src/tests/cmake/consumer" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
          "${launcher[@]}" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null ;;
  deb)
    # The package of the build as it is (cpack installs into its own staging folder).
    (cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log") || { cat "$work/cpack.log" >&2; exit 1; }
    deb=$(ls "$work"/pkg/aorm_*.deb)
    echo "package: $(basename "$deb")"
    dpkg-deb -f "$deb" Package Version Depends
    dpkg -x "$deb" "$work/root"
    test -x "$work/root/usr/bin/aormc"
    cmake -S "$src/tests/cmake/consumer" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
          "${launcher[@]}" -DCMAKE_PREFIX_PATH="$work/root/usr" >/dev/null ;;
  gcc12)
    expect="aorm: g\+\+ 12[.0-9]* miscompiles the coroutine code aorm is used with; configure with clang\+\+-19"
    cmake --install "$build" --prefix "$work/prefix" >/dev/null
    for how in installed subdirectory; do
      if [[ $how == installed ]]; then args=(-DCMAKE_PREFIX_PATH="$work/prefix"); else args=(-DAORM_SOURCE_DIR="$src"); fi
      if cmake -S "$src/tests/cmake/consumer" -B "$work/$how" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
               "${args[@]}" >"$work/$how.log" 2>&1; then
        echo "configuring with $cxx ($how) succeeded; the compiler guard should have stopped it" >&2; exit 1
      fi
      # CMake wraps the message; join the lines before matching.
      if ! tr -s ' \n' ' ' <"$work/$how.log" | grep -Eq "$expect"; then
        echo "configuring with $cxx ($how) failed without the compiler guard's message:" >&2
        cat "$work/$how.log" >&2; exit 1
      fi
      echo "g++ 12 ($how): configure stops with the guard's message"
    done
    # The headers say the same to a build without CMake.
    if "$cxx" -std=c++20 -fsyntax-only -I"$work/prefix/include" -x c++ - <<<'#include <aorm/aorm.hpp>' \
         2>"$work/header.log"; then
      echo "<aorm/aorm.hpp> compiled with $cxx; its #error should have stopped it" >&2; exit 1
    fi
    grep -m1 'error:' "$work/header.log"
    grep -q '#error "aorm: g++ 12 miscompiles\|error: #error "aorm: g++ 12 miscompiles' "$work/header.log"
    exit 0 ;;
  subdirectory)
    cmake -S "$src/tests/cmake/consumer" -B "$work/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
          "${launcher[@]}" -DAORM_SOURCE_DIR="$src" >/dev/null ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
cmake --build "$work/build" -j 2
"$work/build/consumer" | tee "$work/out.txt"
grep -qx "expensive products: 1" "$work/out.txt"
# Touching the model file must regenerate and rebuild (the generated header is newer).
before=$(stat -c %Y "$(find "$work/build" -name models.hpp -path '*shop*' | head -1)")
sleep 1; touch "$src/tests/cmake/consumer/models/shop.yaml"
cmake --build "$work/build" -j 2 >/dev/null
after=$(stat -c %Y "$(find "$work/build" -name models.hpp -path '*shop*' | head -1)")
[[ $after -gt $before ]] || { echo "models.hpp was not regenerated after the model file changed" >&2; exit 1; }
echo "consumer ($mode): ok"
