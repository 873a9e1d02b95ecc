#!/usr/bin/env bash
# Local PostgreSQL for development and tests: install (Debian), start or stop a throwaway cluster.
#   build/postgres.sh ensure                  install Debian's postgresql when initdb is missing
#   build/postgres.sh start DIR PORT [fast]   init DIR if needed and start on 127.0.0.1:PORT ("fast": no fsync, for tests)
#   build/postgres.sh stop DIR
#   build/postgres.sh free-port [FROM]        print a free loopback TCP port
# The server refuses to run as root, so as root the cluster runs as the 'postgres' OS user.
set -euo pipefail

pg_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_db_user() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure() {
  if pg_bin >/dev/null; then return 0; fi
  echo "postgres.sh: initdb not found; installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  # Debian starts its own cluster on 5432; ours run on their own ports, so stop it to save memory.
  (service postgresql stop || true) >/dev/null 2>&1
  pg_bin >/dev/null
}

start() {
  local dir="$1" port="$2" mode="${3:-}" bin
  bin="$(pg_bin)"
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown -R postgres:postgres "$dir"
  fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_db_user "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
      || as_db_user "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C >"$dir.initdb.log" 2>&1 \
      || { cat "$dir.initdb.log" >&2; exit 1; }
  fi
  local opts="-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=300 -c shared_buffers=128MB"
  if [ "$mode" = "fast" ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  as_db_user "$bin/pg_ctl" -D "$dir" -o "$opts" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { tail -n 30 "$dir/server.log" >&2; exit 1; }
}

stop() {
  local dir="$1" bin
  bin="$(pg_bin)"
  if [ -f "$dir/postmaster.pid" ]; then
    as_db_user "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

free_port() {
  local port="${1:-55432}"
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  ensure) ensure ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  free-port) free_port "$@" ;;
  bin) pg_bin ;;
  *) echo "usage: $0 ensure|start DIR PORT [fast]|stop DIR|free-port [FROM]|bin" >&2; exit 2 ;;
esac
