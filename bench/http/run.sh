#!/usr/bin/env bash
# bench/http/run.sh BUILD_DIR [--duration S] [--connections C] [--backend sqlite|postgres|both]
#
# wrk against examples/api_server (aorm on the server's io_context) and against raw_server
# (the same routes hand-written on sqlite3/libpq, bench/http/raw_server.cpp), one after the
# other on the same seeded data, in one run: GET /posts/{id}, GET /articles?page=N and
# POST /articles. Prints requests/s, p50 and p99 latency of each, and aorm's ratio to the
# hand-written server (requests/s: higher is better). Both servers run one io_context
# thread; wrk runs one thread with C connections. `./dev bench-http` builds and runs it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [--duration S] [--connections C] [--backend sqlite|postgres|both]}
shift
duration=5 connections=16 backend=both articles=1000
while (($#)); do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --backend) backend=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
api=$build/examples/api_server
raw=$build/bench/http/raw_server
for b in "$api" "$raw"; do [[ -x $b ]] || { echo "missing $b (build it first)" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/aorm-bench-http.XXXXXX)
pids=()
pg_state=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n $pg_state ]] && sh "$here/../../tests/postgres/pg_server.sh" stop "$pg_state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# start BINARY ARGS... : starts a server, waits for its "listening on" line, sets $port.
start() {
  local log=$work/server.$RANDOM.log
  "$@" --port 0 >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do
    if grep -q "listening on" "$log"; then
      port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start: $*" >&2; cat "$log" >&2; exit 1
}
stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

# measure NAME SCRIPT URL : one wrk run; prints "rps p50 p99".
measure() {
  local out
  out=$(SLUG_PREFIX="$1-$RANDOM$RANDOM" ARTICLES=$articles PAGES=30 \
        wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$here/$2" "$3")
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  [[ -n $non2xx ]] && echo "warning: $non2xx non-2xx answers in $1 ($2)" >&2
  echo "$rps $p50 $p99"
}

run_backend() {  # run_backend NAME URL_AORM URL_RAW [api_server options...]
  local name=$1 url_aorm=$2 url_raw=$3
  shift 3
  local extra=("$@")
  start "$api" --db "$url_aorm" --seed "$articles"; stop_last   # create and seed
  [[ $url_raw != "$url_aorm" ]] && { cp "${url_aorm#sqlite:}" "${url_raw#sqlite:}"; }
  printf '\n%s (%d articles, wrk -t1 -c%d -d%ss; one io_context thread per server)\n' "$name" "$articles" "$connections" "$duration"
  printf '| %-18s | %10s | %8s | %8s | %10s | %8s | %8s | %5s |\n' route "aorm rps" "p50" "p99" "raw rps" "p50" "p99" ratio
  printf '|%s|\n' "--------------------|------------|----------|----------|------------|----------|----------|-------"
  local route script
  for route in "GET /posts/{id}:posts.lua" "GET /articles:articles.lua" "POST /articles:create.lua"; do
    script=${route#*:}; route=${route%%:*}
    start "$api" --db "$url_aorm" "${extra[@]}"; local a; a=($(measure aorm "$script" "http://127.0.0.1:$port")); stop_last
    start "$raw" --db "$url_raw"; local r; r=($(measure raw "$script" "http://127.0.0.1:$port")); stop_last
    printf '| %-18s | %10s | %8s | %8s | %10s | %8s | %8s | %5s |\n' "$route" "${a[0]}" "${a[1]}" "${a[2]}" \
      "${r[0]}" "${r[1]}" "${r[2]}" "$(awk -v x="${a[0]}" -v y="${r[0]}" 'BEGIN {printf "%.2f", x / y}')"
  done
}

if [[ $backend == sqlite || $backend == both ]]; then
  run_backend "SQLite file (WAL), aorm's default policy (worker threads)" "sqlite:$work/aorm.db" "sqlite:$work/raw.db"
  run_backend "SQLite file (WAL), api_server --inline (statements on the io_context thread)" \
    "sqlite:$work/aorm-inline.db" "sqlite:$work/raw-inline.db" --inline
fi
if [[ $backend == postgres || $backend == both ]]; then
  pg_state=$work/pg
  conninfo=$(sh "$here/../../tests/postgres/pg_server.sh" start "$pg_state" | tail -1)
  if [[ -f $pg_state/skip ]]; then
    echo "PostgreSQL: skipped ($(cat "$pg_state/skip"))"
  else
    port_pg=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$conninfo")
    url="postgresql://postgres@127.0.0.1:$port_pg/postgres"
    run_backend "PostgreSQL 15 (loopback)" "$url" "$url"
  fi
fi
