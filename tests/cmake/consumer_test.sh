#!/usr/bin/env bash
# Builds and runs tests/cmake/consumer against aorm.
#   consumer_test.sh installed    SRC BUILD WORK CXX   -- cmake --install BUILD, then find_package(aorm)
#   consumer_test.sh subdirectory SRC BUILD WORK CXX   -- add_subdirectory(SRC)
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
