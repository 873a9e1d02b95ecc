#!/usr/bin/env bash
# Redis for tests: the limiter tests start their own throwaway `redis-server --port N --save "" --appendonly no`.
#   build/redis.sh ensure     install Debian's redis-server when it is missing
set -euo pipefail

ensure() {
  if command -v redis-server >/dev/null 2>&1; then return 0; fi
  echo "redis.sh: redis-server not found; installing Debian's redis-server" >&2
  export DEBIAN_FRONTEND=noninteractive
  # One `apt-get update` per machine: skip it when another script (postgres.sh) refreshed the lists within the hour.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | head -n 1)" ]; then
    apt-get update -qq >&2
  fi
  apt-get install -y -qq redis-server >&2
  # Debian starts its own server on 6379; tests run their own on free ports, so stop it to save memory.
  (service redis-server stop || true) >/dev/null 2>&1
  command -v redis-server >/dev/null
}

case "${1:-}" in
  ensure) ensure ;;
  *) echo "usage: build/redis.sh ensure" >&2; exit 2 ;;
esac
