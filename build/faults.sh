#!/usr/bin/env bash
# Fault suite: SIGKILL of the service mid-delivery, PostgreSQL restart, Flash down 30 s and slower than the client timeout,
# 100 concurrent copies of 50 events, bad input, two instances with Flash answering in 4 s, SIGTERM mid-delivery in hold mode,
# recovery after a 30 s Flash outage. Each scenario ends with the exactly-once invariant (Flash fake and database).
# Prints a table; exits non-zero if any scenario fails. See docs/benchmarks.md.
#   build/faults.sh                full sizes (about 6 minutes)
#   build/faults.sh --ci           the CI sizes the test suite runs (tests/Billing.IntegrationTests/Faults)
#   options: --only kill,pg,flash-down,flash-slow,duplicates,bad-input,twin-slow,sigterm,recovery --flash-down-seconds N
#            --fast-pg --database-url URL
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v dotnet >/dev/null 2>&1 || { echo "faults.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }
build/postgres.sh ensure
dotnet build src/Billing.Api -c Release -nologo -clp:NoSummary -warnaserror -v:q >&2
dotnet build tests/Billing.Bench -c Release -nologo -clp:NoSummary -warnaserror -v:q >&2
exec dotnet tests/Billing.Bench/bin/Release/net10.0/Billing.Bench.dll faults "$@"
