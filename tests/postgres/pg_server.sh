#!/bin/sh
# pg_server.sh start|stop STATE_DIR — a throwaway PostgreSQL server for the postgres suite.
#
# start: initdb into a fresh temporary directory (trust authentication, UTF8, C.UTF-8),
#        start the server listening on 127.0.0.1 only, on a free port, and print its
#        conninfo, which is also written to STATE_DIR/conninfo:
#            host=127.0.0.1 port=N user=postgres dbname=postgres
#        When no server binaries are installed it writes STATE_DIR/skip with the reason
#        instead and exits 0: the suite then reports its tests as skipped.
# stop:  stops that server (fast shutdown) and deletes its directory and STATE_DIR's files.
#
# Run as root (CI containers), the server runs as the `postgres` user through runuser;
# as another user it runs as that user. PGBIN, when set, is the only place the binaries
# are looked for (PGBIN=/nonexistent shows what a machine without them does).
set -eu

cmd=${1:-}
state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop STATE_DIR" >&2
  exit 2
fi

find_bin() {
  if [ -n "${PGBIN:-}" ]; then  # only there
    if [ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ]; then echo "$PGBIN"; fi
    return
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin /usr/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
}

# Runs a command as the server's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_server() {
  [ -f "$state/datadir" ] || return 0
  dir=$(cat "$state/datadir")
  if [ -d "$dir/data" ]; then
    as_owner "$(cat "$state/bindir")/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  rm -f "$state/datadir" "$state/bindir" "$state/conninfo"
}

case "$cmd" in
  start)
    mkdir -p "$state"
    stop_server  # a server left over from an interrupted run
    rm -f "$state/skip"
    bin=$(find_bin)
    if [ -z "$bin" ]; then
      echo "PostgreSQL server binaries not found (initdb, pg_ctl); install the postgresql package" \
           "to run the postgres suite" > "$state/skip"
      cat "$state/skip"
      exit 0
    fi
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      echo "running as root but there is no 'postgres' user to run the server as" > "$state/skip"
      cat "$state/skip"
      exit 0
    fi
    dir=$(mktemp -d /tmp/aorm-pg.XXXXXX)
    echo "$dir" > "$state/datadir"
    echo "$bin" > "$state/bindir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
      > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; stop_server; exit 1; }
    # A free port: try random ones until the server starts (another may take one between
    # a probe and the start, so starting is the only reliable probe).
    tries=0
    while :; do
      port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
      if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
           -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100" \
           start >/dev/null 2>&1; then
        break
      fi
      tries=$((tries + 1))
      if [ "$tries" -ge 10 ]; then
        echo "could not start PostgreSQL; server log:" >&2
        cat "$dir/server.log" >&2 || true
        stop_server
        exit 1
      fi
    done
    echo "host=127.0.0.1 port=$port user=postgres dbname=postgres" > "$state/conninfo"
    cat "$state/conninfo"
    ;;
  stop)
    stop_server
    ;;
  *)
    echo "usage: $0 start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
