#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing:
# Chromium (browser tests), wrk (load test), PostgreSQL and PostGIS (registry tests, via scripts/pg-test.sh).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# wrk: the load generator of the load test (tests/test_load.py) and the serving benchmark
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# PostgreSQL and PostGIS for the registry tests on both backends (scripts/pg-test.sh)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need+=(postgresql-postgis)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${need[*]}. Install them (sudo apt-get install ${need[*]}) and run again." >&2
  exit 1
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
