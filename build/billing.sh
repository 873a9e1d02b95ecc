#!/usr/bin/env bash
# The operator CLI: build/billing.sh operator add ops@example.com --role admin --reason "first admin"
# Uses the service's configuration variables (DATABASE_URL, ...). Without DATABASE_URL it uses the local PostgreSQL
# that build/run.sh started (.local/pg), so a newcomer's `build/run.sh` + `build/billing.sh ...` just work.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -z "${DATABASE_URL:-}" ] && [ -f "$root/.local/pg.port" ]; then
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$(cat "$root/.local/pg.port")/billing"
fi

dll="$root/src/Billing.Cli/bin/Release/net10.0/billing.dll"
# Build once (quietly) when the binary is missing or older than the sources.
if [ ! -f "$dll" ] || [ -n "$(find "$root/src" -name '*.cs' -newer "$dll" -print -quit)" ]; then
  dotnet build "$root/src/Billing.Cli" -c Release -nologo -v quiet >&2
fi
exec dotnet "$dll" "$@"
