#!/usr/bin/env bash
# Runs timepoint-billing on http://127.0.0.1:8080.
# Without DATABASE_URL it starts a local PostgreSQL under .local/pg (git-ignored) and uses it.
# Without SERVICE_API_KEY it makes a development key, keeps it in .local/dev-service-key and prints it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mkdir -p .local

if [ -z "${DATABASE_URL:-}" ]; then
  build/postgres.sh ensure
  port="${BILLING_PG_PORT:-55432}"
  if [ ! -f .local/pg/postmaster.pid ]; then
    port="$(build/postgres.sh free-port "$port")"
    build/postgres.sh start "$root/.local/pg" "$port"
    echo "$port" > .local/pg.port
  fi
  port="$(cat .local/pg.port)"
  bin="$(build/postgres.sh bin)"
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='billing'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres billing
  fi
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/billing"
  echo "run.sh: local PostgreSQL on 127.0.0.1:$port (data in .local/pg; stop with: build/postgres.sh stop $root/.local/pg)"
fi

if [ -z "${SERVICE_API_KEY:-}" ]; then
  if [ ! -f .local/dev-service-key ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > .local/dev-service-key
  fi
  SERVICE_API_KEY="$(cat .local/dev-service-key)"
  export SERVICE_API_KEY
  echo "run.sh: development SERVICE_API_KEY=$SERVICE_API_KEY (send it as X-Service-Key)"
fi

export LOG_FORMAT="${LOG_FORMAT:-text}"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
urls="${BILLING_URLS:-http://127.0.0.1:8080}"
echo "run.sh: starting on $urls (try: curl -H \"X-Service-Key: \$SERVICE_API_KEY\" ${urls%%;*}/internal/billing/products)"
exec dotnet run --project src/Billing.Api -c Release -- --urls "$urls"
