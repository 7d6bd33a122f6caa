#!/usr/bin/env bash
# bench/profile.sh BENCH WORKLOAD [POLICY] — instruction counts (callgrind) of one workload,
# aorm side and raw side, with --quick sizes: `Ir aorm / Ir raw` is a noise-free ratio.
# Writes callgrind.out.* into $PWD; open them with callgrind_annotate for the hot functions.
set -euo pipefail
bench=$1 workload=$2 policy=${3:-inline}
dir=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$PWD/callgrind.out.%p" \
  "$bench" --quick --dir "$dir" --only "$workload" --policy "$policy" >/dev/null 2>"$dir/log" ||
  { cat "$dir/log" >&2; exit 1; }
aorm=$(grep -l "^desc: Trigger: Client Request: aorm $workload" callgrind.out.*.* | tail -1)
raw=$(grep -l "^desc: Trigger: Client Request: raw $workload" callgrind.out.*.* | tail -1)
ir() { grep -m1 '^summary:' "$1" | awk '{print $2}'; }
a=$(ir "$aorm") r=$(ir "$raw")
printf '%s (%s): aorm %s Ir, raw %s Ir, ratio %s\n  aorm profile: %s\n  raw profile:  %s\n' \
  "$workload" "$policy" "$a" "$r" "$(awk -v a="$a" -v r="$r" 'BEGIN{printf "%.2f", a/r}')" "$aorm" "$raw"
rm -rf "$dir"
