#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests that run on a shared workspace (issue 22):
#   postgres_cluster.sh start DIR   initdb in DIR, server on 127.0.0.1 at a free port
#   postgres_cluster.sh stop DIR    stops it and removes DIR
# It uses Debian's postgresql package (installer/install-deps.sh installs it). initdb refuses to
# run as root, so as root the cluster runs as the postgres user. The superuser "simfleet_root"
# logs in over TCP with a password (scram-sha-256), as simfleet's own roles do; DIR/server says
# where, DIR/password holds the password (owner-only).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?cluster folder}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres_cluster: PostgreSQL is not installed; run installer/install-deps.sh" >&2
  exit 1
fi
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi

stop() {
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
}

case "$action" in
start)
  stop
  rm -rf "$dir"
  mkdir -p "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
  mkdir -p "$dir/socket"
  if [ ${#as_owner[@]} -gt 0 ]; then
    if ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
      echo "postgres_cluster: the postgres user cannot reach $(dirname "$dir"); give it a folder it can enter" >&2
      exit 1
    fi
    chown -R postgres "$dir"
    chmod 755 "$dir"
  fi
  chmod 600 "$dir/password"
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U simfleet_root --pwfile="$dir/password" \
      --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket -c fsync=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgresql://simfleet_root@127.0.0.1:$port" > "$dir/server"
  chmod 644 "$dir/server"
  echo "postgres_cluster: server at 127.0.0.1:$port ($dir)"
  ;;
stop)
  stop
  rm -rf "$dir"
  ;;
*)
  echo "postgres_cluster: start or stop, not $action" >&2
  exit 2
  ;;
esac
