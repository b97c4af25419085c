#!/usr/bin/env bash
# kill -9 of irra in the middle of a fast drop-copy stream, several times, then a restart:
# the mirror must end identical to the exchange's own record (the simulator's state) and
# nothing lost, nothing applied twice. (A clean run's comparison needs a second simulator
# replaying the same seeded day; to be added.)
#   crash_recovery_test.sh IRRA SIM GEN_DUMP [DB_URL]   (default DB: a fresh SQLite file)
set -euo pipefail

irra=$1 sim=$2 gen=$3 db_url=${4:-}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; tail -n 20 irra-*.log >&2 || true; exit 1; }
base=$((20000 + $$ % 15000))
fix_port=$base health_port=$((base + 1))
[[ -n "$db_url" ]] || db_url="sqlite3://$work/crash.db"

if [[ "$db_url" == mysql://* ]]; then
  rest=${db_url#mysql://}; creds=${rest%%@*}; hostdb=${rest#*@}
  user=${creds%%:*}; pass=${creds#*:}; hostport=${hostdb%%/*}; db=${hostdb#*/}
  mysql_cmd=(mariadb -u"$user" -p"$pass" -h"${hostport%%:*}" -P"${hostport##*:}" "$db")
  tables=$("${mysql_cmd[@]}" -N -e "SHOW TABLES" | paste -sd, -)
  [[ -z "$tables" ]] || "${mysql_cmd[@]}" -e "SET FOREIGN_KEY_CHECKS=0; DROP TABLE $tables"
fi

write_config() { # NAME DB_URL
  cat > "$1.json" <<JSON
{ "database": { "url": "$2" },
  "admin": { "socket": "$work/$1.sock" },
  "exchange": { "host": "127.0.0.1", "port": $fix_port, "heartbeat_s": 5,
                "reconnect_min_ms": 100, "reconnect_max_ms": 500 },
  "http": { "listen": "127.0.0.1:$((base + 2))" },
  "metrics": { "listen": "127.0.0.1:$((base + 3))" } }
JSON
}
write_config crash "$db_url"

"$gen" --out dump --clients 300 --positions-per-client 4 --seed 21 > /dev/null
"$irra" sod-import --config crash.json --dump dump > /dev/null

reports=60000
"$sim" --listen "127.0.0.1:$fix_port" --dump dump --health-listen "127.0.0.1:$health_port" \
  --flow-rate 15000 --flow-count "$reports" --seed 22 --walk-ms 0 > sim.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$health_port/health" > /dev/null && break; sleep 0.1; done
state() { curl -sf "http://127.0.0.1:$health_port/control/state?positions=${1:-0}"; }

# Several crashes at moments spread over the stream.
for delay in 0.7 1.3 0.4 1.9 0.9; do
  "$irra" serve --config crash.json >> irra-crash.log 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
done
"$irra" serve --config crash.json >> irra-crash.log 2>&1 &
pids+=($!)

# Caught up when IRRA's next expected drop-copy seq is the exchange's next one to send.
dc_in() { "$irra" ctl status --config "$1.json" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["exchange"]["DC"]["next_in_seq"])' 2>/dev/null || echo 0; }
dc_out() { local s; s=$(state); python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sessions"]["dc"]["next_out_seq"])' "$s"; }
wait_for_all() { # NAME
  for _ in $(seq 600); do
    [[ $(dc_in "$1") -eq $(dc_out) ]] && return 0
    sleep 0.1
  done
  fail "$1: drop copy at seq $(dc_in "$1"), exchange at $(dc_out)"
}
for _ in $(seq 600); do
  s=$(state) && python3 -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["flow"]["done"] else 1)' "$s" && break
  sleep 0.1
done
wait_for_all crash

dump_books() { # NAME
  for what in positions orders trades; do
    "$irra" ctl "$what" --config "$1.json" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
for r in sorted(json.dumps(r, sort_keys=True) for r in rows): print(r)' > "$1-$what.jsonl"
  done
}
dump_books crash

# Against the exchange's own record: every net position, every fill once.
state 1 > exchange.json
python3 - "$work" <<'PY' || fail "mirror differs from the exchange's record"
import json, sys, collections
w = sys.argv[1]
ex = json.load(open(f"{w}/exchange.json"))
mine = {}
for l in open(f"{w}/crash-positions.jsonl"):
    p = json.loads(l)
    mine[(p["ucc"], p["instrument"], p["product"])] = p["net_qty"]
theirs = {(p["account"], p["instrument"], p["product"]): p["net_qty"] for p in ex["positions"]}
if mine != theirs:
    diff = [k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k)]
    print("positions differ, e.g.", [(k, mine.get(k), theirs.get(k)) for k in diff[:5]])
    sys.exit(1)
trades = [json.loads(l) for l in open(f"{w}/crash-trades.jsonl")]
ids = collections.Counter(t["trade_id"] for t in trades)
dup = [k for k, n in ids.items() if n > 1]
if dup or len(trades) != ex["fills"]:
    print(f"trades {len(trades)} vs exchange fills {ex['fills']}, duplicates {dup[:5]}")
    sys.exit(1)
orders = sum(1 for _ in open(f"{w}/crash-orders.jsonl"))
if orders != ex["orders"]:
    print(f"orders {orders} vs exchange {ex['orders']}"); sys.exit(1)
print(f"{len(mine)} positions, {len(trades)} trades, {orders} orders match the exchange")
PY
echo "crash_recovery_test: 5 kill -9 cycles; mirror equals the exchange ($db_url)"
