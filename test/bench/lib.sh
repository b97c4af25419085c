# shellcheck shell=bash
# Shared by scripts/bench and its sections (test/bench/sections/*.sh). Source it; it sets no
# shell options of its own.
#
# A section is run by scripts/bench with these variables set, and writes one JSON document to
# $IRRA_BENCH_OUT (see test/bench/README.md, "Section results"):
#   IRRA_BENCH_ROOT       the repository
#   IRRA_BENCH_BUILD      the Release build folder (src/app/irra, src/tools/irra-gen-dump,
#                         src/sim/irra-exchange-sim, test/bench/irra-loadgen, ...)
#   IRRA_BENCH_WORK       a fresh folder of the section's own, removed afterwards
#   IRRA_BENCH_OUT        where the section's JSON goes
#   IRRA_BENCH_MODE       full | quick | smoke (smoke: seconds, only that the harness works)
#   IRRA_BENCH_PORT_LO/HI a range of free ports below 32768 for the section's servers
#   IRRA_BENCH_MYSQL_DIR  the private MariaDB's folder (root over its socket), when started
#   IRRA_BENCH_MYSQL_PORT its port on 127.0.0.1
#   IRRA_BENCH_AMQP_URL   the private RabbitMQ, when started

bench_say() { printf '   %s\n' "$*" >&2; }
bench_die() {
  echo "bench: ${IRRA_BENCH_SECTION:-section}: $*" >&2
  exit 1
}

# Picks N consecutive free ports from the section's range; prints the first.
bench_ports() { # N
  # shellcheck source=../../scripts/lib/ports.sh
  source "$IRRA_BENCH_ROOT/scripts/lib/ports.sh"
  free_port_block "$1" "${IRRA_BENCH_PORT_LO:-31000}" "${IRRA_BENCH_PORT_HI:-32499}" ||
    bench_die "no $1 free ports in ${IRRA_BENCH_PORT_LO:-31000}-${IRRA_BENCH_PORT_HI:-32499}"
}

# A fresh, empty MariaDB database NAME on the private server, owned by irra@127.0.0.1;
# prints its URL for database.url.
bench_mysql_fresh() { # NAME
  [[ -n "${IRRA_BENCH_MYSQL_DIR:-}" ]] || bench_die "no MariaDB was started for this section"
  mariadb --no-defaults --protocol=socket --socket="$IRRA_BENCH_MYSQL_DIR/mariadb.sock" -uroot \
    -e "DROP DATABASE IF EXISTS \`$1\`; CREATE DATABASE \`$1\`;
        GRANT ALL ON \`$1\`.* TO 'irra'@'127.0.0.1'; GRANT FILE ON *.* TO 'irra'@'127.0.0.1';" ||
    bench_die "cannot create database $1"
  echo "mysql://irra:irra@127.0.0.1:$IRRA_BENCH_MYSQL_PORT/$1"
}

# The private MariaDB's client as root (over its socket); extra arguments are passed on.
bench_mysql_root() {
  mariadb --no-defaults --protocol=socket --socket="$IRRA_BENCH_MYSQL_DIR/mariadb.sock" -uroot "$@"
}

# utime+stime of the given processes (all their threads), in clock ticks.
bench_cpu_ticks() { # PID...
  local total=0 p s
  for p in "$@"; do
    s=$(< "/proc/$p/stat") || bench_die "process $p is gone"
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    total=$((total + ${12} + ${13}))
  done
  echo "$total"
}

# Resident memory of PID in kB (VmRSS), and its peak (VmHWM).
bench_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
bench_hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# Waits until URL answers 200 (curl -k), up to SECONDS; status 1 on time-out. With a PID,
# fails at once when that process has exited.
bench_wait_200() { # URL SECONDS [PID]
  local url=$1 deadline=$((SECONDS + $2)) pid=${3:-}
  until curl -ksf -o /dev/null --max-time 2 "$url"; do
    [[ -z "$pid" ]] || kill -0 "$pid" 2> /dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

# Stops processes newest first (SIGTERM, up to 5 s, then SIGKILL). Sections keep their PIDs
# in the array bench_pids and call this from their EXIT trap.
bench_pids=()
bench_stop_all() {
  local i p
  for ((i = ${#bench_pids[@]} - 1; i >= 0; i--)); do
    p=${bench_pids[i]}
    kill "$p" 2> /dev/null || continue
    for _ in $(seq 50); do kill -0 "$p" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$p" 2> /dev/null || true
  done
  bench_pids=()
}

# Writes an irra configuration to FILE for the common case of the benchmarks: a server on
# 127.0.0.1 with its own certificate, database, notification file and admin socket in DIR.
# bench_config_set changes keys of it afterwards.
bench_irra_config() { # FILE DIR DB_URL HTTP_PORT METRICS_PORT FIX_PORT
  local file=$1 dir=$2 db=$3 http=$4 metrics=$5 fix=$6
  [[ -f "$dir/cert.pem" ]] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" > /dev/null 2>&1 || bench_die "openssl req failed"
  cat > "$file" << JSON
{ "database": { "url": "$db" },
  "admin": { "socket": "$dir/irra.sock" },
  "exchange": { "host": "127.0.0.1", "port": $fix, "heartbeat_s": 30 },
  "http": { "listen": "127.0.0.1:$http", "tls_cert": "$dir/cert.pem", "tls_key": "$dir/key.pem",
            "static_dir": "$IRRA_BENCH_ROOT/static" },
  "notify": { "sink": "file", "file": "$dir/notifications.jsonl" },
  "log": { "level": "warn" },
  "metrics": { "listen": "127.0.0.1:$metrics" } }
JSON
}

# Sets keys of a JSON configuration: each argument is DOTTED.KEY=JSON_VALUE, e.g.
# exchange.order_rate_limit=1000000 or notify.sink='"amqp"'.
bench_config_set() { # FILE KEY=VALUE...
  python3 - "$@" << 'PY' || bench_die "cannot set $* "
import json, sys
path = sys.argv[1]
config = json.load(open(path))
for arg in sys.argv[2:]:
    key, value = arg.split("=", 1)
    *parents, leaf = key.split(".")
    node = config
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = json.loads(value)
json.dump(config, open(path, "w"), indent=1)
PY
}

# The database URL for KIND (sqlite or mariadb): a new SQLite file in DIR, or a fresh
# MariaDB database NAME.
bench_db_url() { # KIND DIR NAME
  if [[ $1 == mariadb ]]; then bench_mysql_fresh "$3"; else echo "sqlite3://$2/irra.db"; fi
}

# irra sod-import of DUMP with the configuration FILE; its output goes to import.log beside
# FILE, whose end is shown when the import fails.
bench_sod_import() { # FILE DUMP
  local log
  log="$(dirname "$1")/import.log"
  "$IRRA_BENCH_BUILD/src/app/irra" sod-import --config "$1" --dump "$2" > "$log" 2>&1 ||
    { tail -n 20 "$log" >&2; bench_die "irra sod-import of $2 failed (log: $log)"; }
}

# Sum of a Prometheus metric (all label sets matching the optional filter) at URL.
bench_metric() { # URL NAME [LABEL_FILTER]
  curl -sf --max-time 5 "$1" | awk -v n="$2" -v f="${3:-}" '
    $1 == n || index($1, n "{") == 1 { if (f == "" || index($1, f)) s += $2; found = 1 }
    END { if (found) printf "%.0f\n", s; else print "" }'
}

# A start-of-day dump made once per benchmark run and shared by the sections that use the
# same one (IRRA_BENCH_SHARED/NAME); prints its folder. The arguments go to irra-gen-dump.
bench_dump() { # NAME GEN_DUMP_ARGS...
  local dir="${IRRA_BENCH_SHARED:-$IRRA_BENCH_WORK}/$1"
  shift
  if [[ ! -f "$dir/manifest.json" ]]; then
    rm -rf "$dir"
    SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1764806400} \
      "$IRRA_BENCH_BUILD/src/tools/irra-gen-dump" --out "$dir" "$@" > /dev/null ||
      bench_die "irra-gen-dump $* failed"
  fi
  echo "$dir"
}

# Median of the numbers given as arguments.
bench_median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
