#!/usr/bin/env bash
# fuzz/run.sh [seconds] — builds the libFuzzer targets (clang, ASan+UBSan) into build-fuzz/
# and runs each for `seconds` (default 60) over a copy of its seed corpus. New inputs go to
# build-fuzz/corpus/<target>/, crashes to build-fuzz/artifacts/<target>/. A crash becomes a
# regression: copy its file into fuzz/corpus/<target>/ (the replay test runs it in ctest) and
# add a test in tests/hostile or tests/codegen for the behaviour it shows.
#   FUZZ_BUILD_DIR, CXX (default clang++-19), JOBS (default 2) may be set.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${JOBS:-2}"

# Every C++ file of the build gets coverage instrumentation (fuzzer-no-link) and the
# sanitizers, not only the fuzz targets: the code under test is in aorm_codegen and the
# runtime, and libFuzzer can only steer by the edges it sees. aormc, built the same way,
# runs during the build (aorm_generate); LLVM's own allocations at exit are not ours.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER="${CXX:-clang++-19}" -DAORM_FUZZ=ON \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
      -DAORM_BUILD_EXAMPLES=OFF -DAORM_BUILD_BENCH=OFF >/dev/null
targets=(yaml_fuzz sql_fuzz migration_fuzz)
ninja -C "$build" -j "$jobs" "${targets[@]}"

status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  cp -n "$root/fuzz/corpus/$t/"* "$build/corpus/$t/" 2>/dev/null || true
  echo "== $t for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/artifacts/$t/" -print_final_stats=1 "$build/corpus/$t"; then
    echo "== $t FAILED: see $build/artifacts/$t/" >&2
    status=1
  fi
done
exit $status
