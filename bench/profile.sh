#!/usr/bin/env bash
# bench/profile.sh BENCH WORKLOAD [POLICY] — instruction counts (callgrind) of one workload,
# aorm side and raw side, with --quick sizes: `Ir aorm / Ir raw` is a noise-free ratio.
# Writes callgrind.out.* into $PWD; open them with callgrind_annotate for the hot functions.
# REPS=2 runs each side twice and reports the second (warm: statements already prepared).
set -euo pipefail
bench=$1 workload=$2 policy=${3:-inline} reps=${REPS:-1}
dir=$(mktemp -d)
run=callgrind.out.$(basename "$dir")  # this run's files only (dumps .1, .2, ... in order)
valgrind --tool=callgrind --callgrind-out-file="$PWD/$run" \
  "$bench" --quick --reps "$reps" --dir "$dir" --only "$workload" --policy "$policy" >/dev/null 2>"$dir/log" ||
  { cat "$dir/log" >&2; exit 1; }
dumps=$(ls "$run".* | sort -V)
aorm=$(grep -l "^desc: Trigger: Client Request: aorm $workload" $dumps | tail -1)
raw=$(grep -l "^desc: Trigger: Client Request: raw $workload" $dumps | tail -1)
ir() { grep -m1 '^summary:' "$1" | awk '{print $2}'; }
a=$(ir "$aorm") r=$(ir "$raw")
printf '%s (%s): aorm %s Ir, raw %s Ir, ratio %s\n  aorm profile: %s\n  raw profile:  %s\n' \
  "$workload" "$policy" "$a" "$r" "$(awk -v a="$a" -v r="$r" 'BEGIN{printf "%.2f", a/r}')" "$aorm" "$raw"
rm -rf "$dir"
