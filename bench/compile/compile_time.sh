#!/usr/bin/env bash
# bench/compile/compile_time.sh AORMC [CXX] — compile-time costs of aorm, medians of 3 runs:
#   1. compiling one TU with 50 different queries through the generated blog models
#      (aorm_queries.cpp) against one TU with the same queries hand-written on sqlite3
#      (raw_queries.cpp), both -std=c++20 -O2;
#   2. aormc generating code for a 200-model YAML file.
# Prints wall time and CPU time (user+sys; less disturbed by other load on the machine).
# CXX must be clang: g++ 12 rejects aorm_queries.cpp (string literals inside co_await
# expressions hit its "array used as initializer" coroutine bug; TOOLCHAIN.md).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
aormc=${1:?usage: compile_time.sh AORMC [CXX]}
cxx=${2:-clang++-19}
reps=${REPS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure LABEL CMD...: appends "wall cpu" (seconds) of one run of CMD to $tmp/LABEL.
measure() {
  local label=$1; shift
  local TIMEFORMAT='%R %U %S'
  { time "$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; exit 1; }; } 2>&1 |
    awk '{print $1, $2 + $3}' >>"$tmp/$label"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

report() {
  printf '  %-44s wall=%6.2fs  cpu=%6.2fs\n' "$2" "$(cut -d' ' -f1 "$tmp/$1" | median)" \
    "$(cut -d' ' -f2 "$tmp/$1" | median)"
}

flags=(-std=c++20 -O2 -c)
for ((i = 0; i < reps; ++i)); do
  measure aorm "$cxx" "${flags[@]}" -I "$root/runtime/include" -I "$root/generated" \
    "$here/aorm_queries.cpp" -o "$tmp/aorm.o"
  measure raw "$cxx" "${flags[@]}" "$here/raw_queries.cpp" -o "$tmp/raw.o"
done

# A 200-model YAML file: each model has a few fields and a foreign key to its predecessor.
{
  echo "namespace: many"
  echo "models:"
  for ((m = 0; m < 200; ++m)); do
    echo "  Model$m:"
    echo "    fields:"
    echo "      name:    { type: string, max_length: 100 }"
    echo "      count:   { type: int64, default: 0 }"
    echo "      score:   { type: double, null: true }"
    echo "      created: { type: datetime }"
    echo "      state:   { type: string, choices: [new, done], default: new }"
    if ((m > 0)); then
      echo "      parent:  { type: foreign_key, to: Model$((m - 1)), on_delete: cascade, related_name: children$m }"
    fi
  done
} >"$tmp/many.yaml"
for ((i = 0; i < reps; ++i)); do
  measure aormc "$aormc" generate "$tmp/many.yaml" --out "$tmp/out"
done
echo "compile time ($cxx -O2, $reps runs, medians; cpu = user + sys):"
report aorm "50 queries through aorm (aorm_queries.cpp)"
report raw "50 queries on sqlite3 (raw_queries.cpp)"
report aormc "aormc generate, 200-model YAML file"
