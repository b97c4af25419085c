#!/usr/bin/env bash
# kill -9 of irra in the middle of a fast drop-copy stream, several times, then a restart:
# the mirror must end identical to a clean run's — nothing lost, nothing applied twice.
#   crash_recovery_test.sh IRRA SIM GEN_DUMP [DB_URL]   (default DB: a fresh SQLite file)
#
# Two exchanges replay the same seeded day (same dump, --seed, --flow-rate, --flow-count,
# --walk-ms, and --virtual-clock so that TransactTimes and the price walk do not depend on
# the timing: docs/simulator.md, "Replaying a day"). One feeds the irra that is killed
# five times ("crash"), the other an irra that is never killed ("clean", its own database:
# for MySQL the sibling database <db>_clean when the user may create it, else SQLite —
# the point is the mirror's content). Then:
#   1. each mirror against its exchange's own record (/control/state): every net position,
#      every fill once, every order;
#   2. the crashed mirror against the clean one, field by field: every order, trade and
#      position (`irra ctl orders|trades|positions`, rows matched by their keys).
# Ports: IRRA_E2E_BASE_PORT (8 ports from there) or eight free ones in 24000-24999.
# IRRA_E2E_KEEP=1 keeps the work folder (logs, configs, mirrors) for a look afterwards.
set -euo pipefail
# shellcheck source=../../scripts/lib/ports.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../scripts/lib/ports.sh"

irra=$1 sim=$2 gen=$3 db_url=${4:-}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [[ -n "${IRRA_E2E_KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; tail -n 20 irra-*.log >&2 || true; exit 1; }
started=$SECONDS
base=${IRRA_E2E_BASE_PORT:-$(free_port_block 8 24000 24999)} || fail "no eight free ports in 24000-24999"
# crash: FIX, health, http, metrics; clean: the same four.
crash_fix=$base crash_health=$((base + 1)) clean_fix=$((base + 4)) clean_health=$((base + 5))
clean_db_url="sqlite3://$work/clean.db"
[[ -n "$db_url" ]] || db_url="sqlite3://$work/crash.db"

if [[ "$db_url" == mysql://* ]]; then
  rest=${db_url#mysql://}; creds=${rest%%@*}; hostdb=${rest#*@}
  user=${creds%%:*}; pass=${creds#*:}; hostport=${hostdb%%/*}; db=${hostdb#*/}
  mysql_base=(mariadb -u"$user" -p"$pass" -h"${hostport%%:*}" -P"${hostport##*:}")
  empty_db() { # DATABASE
    local tables
    tables=$("${mysql_base[@]}" "$1" -N -e "SHOW TABLES" | paste -sd, -)
    [[ -z "$tables" ]] || "${mysql_base[@]}" "$1" -e "SET FOREIGN_KEY_CHECKS=0; DROP TABLE $tables"
  }
  empty_db "$db"
  if "${mysql_base[@]}" -e "CREATE DATABASE IF NOT EXISTS ${db}_clean
        CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" 2>/dev/null; then
    empty_db "${db}_clean"
    clean_db_url="mysql://$creds@$hostport/${db}_clean"
  else
    echo "note: $user may not create ${db}_clean; the clean run uses SQLite"
  fi
fi

write_config() { # NAME DB_URL FIX_PORT HTTP_PORT
  cat > "$1.json" <<JSON
{ "database": { "url": "$2" },
  "admin": { "socket": "$work/$1.sock" },
  "exchange": { "host": "127.0.0.1", "port": $3, "heartbeat_s": 5,
                "reconnect_min_ms": 100, "reconnect_max_ms": 500 },
  "http": { "listen": "127.0.0.1:$4" },
  "metrics": { "listen": "127.0.0.1:$(($4 + 1))" } }
JSON
}
write_config crash "$db_url" "$crash_fix" $((base + 2))
write_config clean "$clean_db_url" "$clean_fix" $((base + 6))

"$gen" --out dump --clients 300 --positions-per-client 4 --seed 21 > /dev/null
"$irra" sod-import --config crash.json --dump dump > /dev/null
"$irra" sod-import --config clean.json --dump dump > /dev/null

# The same day twice. The walk steps every 20 ms of the exchange's clock (every 300
# reports), so fills happen at many prices.
reports=60000
start_sim() { # NAME FIX_PORT HEALTH_PORT
  "$sim" --listen "127.0.0.1:$2" --dump dump --health-listen "127.0.0.1:$3" \
    --flow-rate 15000 --flow-count "$reports" --seed 22 --walk-ms 20 --virtual-clock \
    > "sim-$1.log" 2>&1 &
  pids+=($!)
}
start_sim crash "$crash_fix" "$crash_health"
start_sim clean "$clean_fix" "$clean_health"
health_of() { if [[ $1 == crash ]]; then echo "$crash_health"; else echo "$clean_health"; fi; }
state() { # NAME [POSITIONS]
  curl -sf "http://127.0.0.1:$(health_of "$1")/control/state?positions=${2:-0}"
}
for name in crash clean; do
  for _ in $(seq 100); do state "$name" > /dev/null && break; sleep 0.1; done
done

# Each irra in its own folder: what it keeps relative to its working directory (var/tls,
# the self-signed certificate it makes on first start) is its own.
mkdir crash clean
serve() { # NAME — run it in the background only: the background subshell becomes irra
  cd "$work/$1" && exec "$irra" serve --config "$work/$1.json" >> "$work/irra-$1.log" 2>&1
}
serve clean &
pids+=($!)

# Several crashes at moments spread over the stream.
for delay in 0.7 1.3 0.4 1.9 0.9; do
  serve crash &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || fail "irra (crash) ended on its own before its kill -9"
  wait "$pid" 2>/dev/null || true
done
serve crash &
pids+=($!)

# Caught up when IRRA's next expected drop-copy seq is the exchange's next one to send.
dc_in() { "$irra" ctl status --config "$1.json" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["exchange"]["DC"]["next_in_seq"])' 2>/dev/null || echo 0; }
dc_out() { local s; s=$(state "$1"); python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sessions"]["dc"]["next_out_seq"])' "$s"; }
flow_done() { local s; s=$(state "$1") && python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["flow"]["done"] else 1)' "$s"; }
wait_for_all() { # NAME
  for _ in $(seq 600); do flow_done "$1" && break; sleep 0.1; done
  flow_done "$1" || fail "$1: the exchange's flow did not finish"
  for _ in $(seq 600); do
    [[ $(dc_in "$1") -eq $(dc_out "$1") ]] && return 0
    sleep 0.1
  done
  fail "$1: drop copy at seq $(dc_in "$1"), exchange at $(dc_out "$1")"
}
wait_for_all crash
wait_for_all clean
echo "both mirrors caught up after $((SECONDS - started)) s"

dump_books() { # NAME: the mirror as `irra ctl` shows it, and the exchange's record
  for what in positions orders trades; do
    "$irra" ctl "$what" --config "$1.json" > "$1-$what.jsonl"
  done
  state "$1" 1 > "exchange-$1.json"
}

# One pass over both runs (check.py, below); every problem is listed, then exit 1.
#  1. Each mirror against its exchange's own record: every net position, every fill once
#     (no duplicate trade_id), every order.
#  2. The crashed-and-restarted mirror against the clean run, every field of every order
#     (by order_id), trade (by trade_id) and position (by ucc, instrument, product).
#     No field is excused: order and trade times are the exchange's TransactTime (the same
#     on both exchanges thanks to --virtual-clock; IRRA stamps no time of its own on a
#     main-site order or trade), ids are the exchange's OrderID and ExecID, and the
#     positions' ltp (hence unrealized_pnl) is the exchange's last price. That last one
#     comes on the market-data session, up to 200 ms after the last drop-copy report (the
#     snapshot throttle), so a failed pass is retried for a few seconds before it counts.
cat > check.py <<'PY'
import json, sys, collections
w = sys.argv[1]
EXCUSED = {"positions": set(), "orders": set(), "trades": set()}  # none: see above
KEY = {"positions": lambda r: (r["ucc"], r["instrument"], r["product"]),
       "orders": lambda r: r["order_id"], "trades": lambda r: r["trade_id"]}
problems, done = [], []
books = {}
for name in ("crash", "clean"):
    for what, key in KEY.items():
        rows = {}
        for line in open(f"{w}/{name}-{what}.jsonl"):
            if not line.strip():
                continue
            r = json.loads(line)
            if key(r) in rows:
                problems.append(f"{name}: {what} {key(r)} twice")
            rows[key(r)] = r
        books[name, what] = rows
    # 1. against the exchange
    ex = json.load(open(f"{w}/exchange-{name}.json"))
    mine = {k: p["net_qty"] for k, p in books[name, "positions"].items()}
    theirs = {(p["account"], p["instrument"], p["product"]): p["net_qty"] for p in ex["positions"]}
    if mine != theirs:
        diff = [k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)]
        problems.append(f"{name}: {len(diff)} net positions differ from the exchange's, e.g. "
                        f"(key, mirror, exchange) {[(k, mine.get(k), theirs.get(k)) for k in diff[:3]]}")
    trades, orders = len(books[name, "trades"]), len(books[name, "orders"])
    if trades != ex["fills"]:
        problems.append(f"{name}: {trades} trades vs the exchange's {ex['fills']} fills")
    if orders != ex["orders"]:
        problems.append(f"{name}: {orders} orders vs the exchange's {ex['orders']}")
    done.append(f"{name}: {len(mine)} positions, {trades} trades, {orders} orders as the exchange")
# 2. crashed against clean
for what in KEY:
    crash, clean = books["crash", what], books["clean", what]
    lost = [k for k in clean if k not in crash]
    extra = [k for k in crash if k not in clean]
    if lost:
        problems.append(f"{what}: {len(lost)} of the clean run's missing after the crashes, e.g. {lost[:3]}")
    if extra:
        problems.append(f"{what}: {len(extra)} not in the clean run, e.g. {extra[:3]}")
    differ = collections.defaultdict(list)
    for k, a in crash.items():
        b = clean.get(k)
        if b is None or a == b:
            continue
        for f in set(a) | set(b):
            if f not in EXCUSED[what] and a.get(f, "<absent>") != b.get(f, "<absent>"):
                differ[f].append((k, a.get(f, "<absent>"), b.get(f, "<absent>")))
    for f, cases in sorted(differ.items()):
        problems.append(f"{what}.{f} differs in {len(cases)} rows, e.g. (key, crashed, clean) {cases[:3]}")
    if not lost and not extra and not differ:
        done.append(f"{what}: {len(crash)} rows identical to the clean run's, field by field")
print("\n".join(problems or done))
sys.exit(1 if problems else 0)
PY
for attempt in $(seq 10); do
  dump_books crash & a=$!
  dump_books clean & b=$!
  wait "$a" && wait "$b" || fail "irra ctl or /control/state failed"
  python3 check.py "$work" > check.out && { ((attempt == 1)) || echo "passed at attempt $attempt"; break; }
  ((attempt < 10)) || { cat check.out >&2; fail "a mirror differs from its exchange or the clean run"; }
  sleep 0.5
done
cat check.out
echo "crash_recovery_test: 5 kill -9 cycles; mirror equals the exchange and a clean run" \
  "($db_url; clean: $clean_db_url) in $((SECONDS - started)) s"
