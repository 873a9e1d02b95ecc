#!/usr/bin/env bash
# Runs every test project against a throwaway PostgreSQL cluster and ends with "N passed, N failed".
# Uses BILLING_TEST_DATABASE_URL (a server where it may create databases) when set; otherwise starts its own cluster.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is required" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

cluster=""
cleanup() {
  if [ -n "$cluster" ]; then
    build/postgres.sh stop "$cluster"
    rm -rf "$cluster" "$cluster.initdb.log"
  fi
}
trap cleanup EXIT

if [ -z "${BILLING_TEST_DATABASE_URL:-}" ]; then
  build/postgres.sh ensure || { echo "test.sh: could not install PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
  cluster="$(mktemp -d /tmp/billing-test-pg.XXXXXX)"
  chmod 755 "$cluster"
  port="$(build/postgres.sh free-port 56432)"
  build/postgres.sh start "$cluster" "$port" fast || { echo "0 passed, 1 failed"; exit 1; }
  export BILLING_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres"
  echo "test.sh: PostgreSQL test cluster on 127.0.0.1:$port"
fi
build/redis.sh ensure || { echo "test.sh: could not install redis-server"; echo "0 passed, 1 failed"; exit 1; }
export BILLING_PG_BIN="$(build/postgres.sh bin 2>/dev/null || true)"

# The console's browser tests drive Debian's chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing Debian's chromium for the browser tests"
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "test.sh: could not install chromium; the browser tests will fail"
fi

# With the committed packages.lock.json files, restore exactly the tested versions (a lock file out of date fails here).
restore_args=()
if ls src/*/packages.lock.json >/dev/null 2>&1; then
  restore_args=(--locked-mode)
fi
dotnet restore Billing.sln "${restore_args[@]}" -nologo 2>&1 | tail -n 20
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "test.sh: restore failed (lock files out of date? regenerate with: dotnet restore Billing.sln --force-evaluate)"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet build Billing.sln -c Release --no-restore -nologo -clp:NoSummary -warnaserror 2>&1 | tail -n 20
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "test.sh: build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

log="$(mktemp /tmp/billing-test-log.XXXXXX)"
dotnet test Billing.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" | grep -E '^\s*(Failed |Total tests|Passed: |Failed: |Skipped: |Error Message)|^\s{3,}[A-Z]' | grep -vE '^\s+at |^\s+Passed [A-Z]' | awk 'NR <= 400'
status="${PIPESTATUS[0]}"

# The console logger closes each test assembly with "Total tests: N" then indented "Passed: N" / "Failed: N" lines.
passed=$(grep -E '^\s+Passed: [0-9]+\s*$' "$log" | sed -E 's/[^0-9]*([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
failed=$(grep -E '^\s+Failed: [0-9]+\s*$' "$log" | sed -E 's/[^0-9]*([0-9]+).*/\1/' | awk '{s+=$1} END {print s+0}')
assemblies=$(grep -cE '^Total tests: [0-9]+' "$log")
rm -f "$log"

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The runner failed without reporting a failing test (crash, hang, missing assembly): count it as a failure.
  failed=1
fi
if [ "$assemblies" -eq 0 ]; then
  failed=$((failed > 0 ? failed : 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
