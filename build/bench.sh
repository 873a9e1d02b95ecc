#!/usr/bin/env bash
# Benchmark: starts everything on loopback (a throwaway PostgreSQL, the Flash and Stripe fakes, the service built in Release as
# its own process) and prints one table, every figure beside its reference measured in the same run. See docs/benchmarks.md.
#   build/bench.sh                 full run (about 3 minutes)
#   build/bench.sh --quick         smaller sizes (about 1 minute)
#   options: --seconds N --connections 1,16,64 --drain N --payment-rate N --payment-seconds N --reads-seconds N
#            --only intake,payment,drain,reads,keys,apple,ratelimit,usage --fast-pg --database-url URL --service-env K=V,K=V
# Uses BENCH_DATABASE_URL (a server where it may create a database) when set; PostgreSQL restarts need the throwaway cluster.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v dotnet >/dev/null 2>&1 || { echo "bench.sh: the .NET SDK (dotnet) is required" >&2; exit 1; }
build/postgres.sh ensure
build/redis.sh ensure
dotnet build src/Billing.Api -c Release -nologo -clp:NoSummary -warnaserror -v:q >&2
dotnet build tests/Billing.Bench -c Release -nologo -clp:NoSummary -warnaserror -v:q >&2
exec dotnet tests/Billing.Bench/bin/Release/net10.0/Billing.Bench.dll bench "$@"
