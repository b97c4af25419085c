# shellcheck shell=bash
# A private MariaDB server for tests, started directly (no systemd):
#   mariadb_start DIR PORT   data, socket, pid file and log under DIR; listens on
#                            127.0.0.1:PORT; databases irra_test and irra_main_test,
#                            user irra@127.0.0.1 with password irra
#   mariadb_stop DIR         SIGTERM to the server's PID, bounded wait
# Both are idempotent, quiet on success, and say what went wrong on failure (return 1).
# Source this file; it sets no shell options of its own.

_mariadb_fail() {
  echo "mariadb: $*" >&2
  return 1
}

# The server's PID when it is running from DIR, else nothing (status 1).
_mariadb_pid() {
  local pidfile="$1/mariadb.pid" pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == mariadbd ]] || return 1
  echo "$pid"
}

_mariadb_root() {
  mariadb --no-defaults --protocol=socket --socket="$1/mariadb.sock" -uroot --batch \
    --skip-column-names "${@:2}"
}

_mariadb_log_tail() {
  if [[ -f "$1/mariadb.log" ]]; then
    echo "--- last lines of $1/mariadb.log ---" >&2
    tail -n 15 "$1/mariadb.log" >&2
  fi
}

mariadb_start() {
  local dir="${1:-}" port="${2:-}"
  [[ -n "$dir" && "$port" =~ ^[0-9]+$ ]] || _mariadb_fail "usage: mariadb_start DIR PORT" || return 1
  mkdir -p "$dir" || _mariadb_fail "cannot create $dir" || return 1
  dir=$(cd "$dir" && pwd)
  # The socket path must fit in sun_path (108 bytes).
  ((${#dir} < 90)) || _mariadb_fail "directory path too long for a socket: $dir" || return 1
  local user
  user=$(id -un)

  if [[ ! -d "$dir/data/mysql" ]]; then
    rm -rf "$dir/data"
    if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
      tail -n 15 "$dir/install.log" >&2
      _mariadb_fail "mariadb-install-db failed in $dir/data (log: $dir/install.log)"
      return 1
    fi
  fi

  if ! _mariadb_pid "$dir" >/dev/null; then
    rm -f "$dir/mariadb.sock" "$dir/mariadb.pid"
    # setsid: the server must not die with the calling shell's process group.
    setsid mariadbd --no-defaults --user="$user" --datadir="$dir/data" \
      --socket="$dir/mariadb.sock" --pid-file="$dir/mariadb.pid" \
      --log-error="$dir/mariadb.log" --bind-address=127.0.0.1 --port="$port" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=128M \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
      </dev/null >/dev/null 2>&1 &
    local launcher=$! waited=0
    until mariadb-admin --no-defaults --protocol=socket --socket="$dir/mariadb.sock" -uroot \
      --connect-timeout=2 ping >/dev/null 2>&1; do
      if ((waited >= 600)); then
        _mariadb_log_tail "$dir"
        _mariadb_fail "server in $dir did not answer within 60 s"
        return 1
      fi
      if ((waited >= 20)) && ! kill -0 "$launcher" 2>/dev/null && ! _mariadb_pid "$dir" >/dev/null; then
        _mariadb_log_tail "$dir"
        _mariadb_fail "server in $dir exited during start-up (port $port in use?)"
        return 1
      fi
      sleep 0.1
      waited=$((waited + 1))
    done
  fi

  _mariadb_root "$dir" <<'SQL' >/dev/null || _mariadb_fail "could not create the irra test databases and user" || return 1
CREATE DATABASE IF NOT EXISTS irra_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE DATABASE IF NOT EXISTS irra_main_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE DATABASE IF NOT EXISTS irra_test_clean CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'irra'@'127.0.0.1' IDENTIFIED BY 'irra';
GRANT ALL PRIVILEGES ON irra_test.* TO 'irra'@'127.0.0.1';
GRANT ALL PRIVILEGES ON irra_main_test.* TO 'irra'@'127.0.0.1';
GRANT ALL PRIVILEGES ON irra_test_clean.* TO 'irra'@'127.0.0.1';
SQL
}

mariadb_stop() {
  local dir="${1:-}"
  [[ -n "$dir" ]] || _mariadb_fail "usage: mariadb_stop DIR" || return 1
  [[ -d "$dir" ]] || return 0
  local pid
  pid=$(_mariadb_pid "$dir") || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 600)); then
      kill -KILL "$pid" 2>/dev/null || true
      _mariadb_fail "server $pid in $dir ignored SIGTERM for 60 s; killed it"
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}
