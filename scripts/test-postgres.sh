#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL server for the test suite, on 127.0.0.1 only.
#
#   eval "$(scripts/test-postgres.sh start)"   # exports WIREBRIEF_TEST_POSTGRES_URL and _DIR
#   scripts/test-postgres.sh stop              # stops and deletes that server (uses _DIR)
#
# Each start makes its own data folder and port, so test runs side by side never share
# (or stop) each other's server.
#
# Installs Debian's postgresql package when it is missing and we may (root + apt-get).
# Prints nothing on stdout when no server can be started; the PostgreSQL tests then skip.
set -u
cmd=${1:-start}
# A free port unless one is given: another checkout's test server may hold the usual one.
port=${WIREBRIEF_TEST_POSTGRES_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}

find_bin() {
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

as_owner() {  # initdb and postgres refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(find_bin)
if [ -z "$bin" ] && [ "$cmd" = start ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing postgresql with apt-get for the test suite…" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 || true
  bin=$(find_bin)
fi
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: PostgreSQL tests will be skipped." >&2
  exit 0
fi

case "$cmd" in
  start)
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --no-create-home postgres >&2 || { echo "no postgres user; skipping" >&2; exit 0; }
    fi
    data_dir=$(mktemp -d "${TMPDIR:-/tmp}/wirebrief-test-pg.XXXXXX")
    [ "$(id -u)" = 0 ] && chown postgres "$data_dir"
    as_owner "$bin/initdb" -D "$data_dir" -U wirebrief --auth=trust -E UTF8 >/dev/null 2>&1 || {
      echo "initdb failed: PostgreSQL tests will be skipped." >&2; rm -rf "$data_dir"; exit 0; }
    as_owner "$bin/pg_ctl" -D "$data_dir" -l "$data_dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $data_dir -c fsync=off" start >/dev/null 2>&1
    if ! as_owner "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
      echo "PostgreSQL did not start (see $data_dir/server.log): its tests will be skipped." >&2
      exit 0
    fi
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U wirebrief -d postgres -qtAc \
      "SELECT 1 FROM pg_database WHERE datname='wirebrief_test'" | grep -q 1 \
      || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U wirebrief wirebrief_test >&2
    echo "export WIREBRIEF_TEST_POSTGRES_URL=postgresql+psycopg://wirebrief@127.0.0.1:$port/wirebrief_test"
    echo "export WIREBRIEF_TEST_POSTGRES_DIR=$data_dir"
    ;;
  stop)
    data_dir=${WIREBRIEF_TEST_POSTGRES_DIR:-}
    if [ -n "$data_dir" ] && [ -f "$data_dir/PG_VERSION" ]; then
      as_owner "$bin/pg_ctl" -D "$data_dir" -m fast stop >/dev/null 2>&1
      rm -rf "$data_dir"
    fi
    exit 0
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
