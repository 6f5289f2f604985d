#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL (with PostGIS when installed):
#   scripts/pg-test.sh .venv/bin/pytest -ra
# initdb in a temporary folder, a server on 127.0.0.1 at a free port (as the `postgres` user when
# run as root), a database `assetmap_test`, ASSETMAP_TEST_PG_URL exported for the command, and the
# cluster stopped and deleted when the command ends. The command's exit status is this script's.
# ASSETMAP_TEST_PG_CTL, ASSETMAP_TEST_PG_DATA, ASSETMAP_TEST_PG_LOG and ASSETMAP_TEST_PG_USER (the OS
# user the server runs as when that is not the caller, else empty) let a test restart the server
# (tests/test_curate_restart.py). With ASSETMAP_TEST_PG_URL already set, the command just runs
# against that server.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: scripts/pg-test.sh COMMAND [ARGS...]" >&2
  exit 64
fi
if [ -n "${ASSETMAP_TEST_PG_URL:-}" ]; then
  exec "$@"
fi
PGBIN=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
  [ -x "$d/initdb" ] && PGBIN="$d"
done
if [ -z "$PGBIN" ]; then
  echo "pg-test: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); run \`make system\` (scripts/system-packages.sh) to install postgresql" >&2
  exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/assetmap-pg.XXXXXX")
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # the server refuses to run as root
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  chown postgres "$tmp"
  as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_pg[@]}" "$PGBIN/initdb" -D "$tmp/data" -U assetmap --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || {
  cat "$tmp/initdb.log" >&2; echo "pg-test: initdb failed" >&2; exit 1; }
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$tmp/server.log" >&2; echo "pg-test: the server did not start" >&2; exit 1; }
"$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U assetmap assetmap_test
if "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U assetmap -d assetmap_test -qAt \
     -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null 2>"$tmp/postgis.err"; then
  postgis="with PostGIS"
else
  postgis="without PostGIS ($(head -c 200 "$tmp/postgis.err"); install postgresql-15-postgis-3)"
fi
export ASSETMAP_TEST_PG_URL="postgresql+psycopg://assetmap@127.0.0.1:$port/assetmap_test"
export ASSETMAP_TEST_PG_CTL="$PGBIN/pg_ctl" ASSETMAP_TEST_PG_DATA="$tmp/data" ASSETMAP_TEST_PG_LOG="$tmp/server.log"
export ASSETMAP_TEST_PG_USER="$([ ${#as_pg[@]} -gt 0 ] && echo postgres || true)"
echo "pg-test: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port $postgis; ASSETMAP_TEST_PG_URL=$ASSETMAP_TEST_PG_URL" >&2
set +e
"$@"
rc=$?
set -e
exit $rc
