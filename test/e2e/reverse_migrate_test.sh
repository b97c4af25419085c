#!/usr/bin/env bash
# `irra reverse-migrate` end to end: a real `irra serve --active` on a real irra-exchange-sim;
# main-site flow while ACTIVE, an investor's square-offs through the API (one filled at once,
# one resting), `irra ctl recover`, more main-site flow while in RECOVERY; then
#   1. reverse-migrate --to TARGET --out DIR twice: the second run writes nothing, the
#      target's tables and the files are byte for byte the same;
#   2. the resting order fills (the simulator's price crosses it): the next run updates that
#      order and adds its trade, the one after writes nothing again;
#   3. what was handed over is what the rule says (docs/reverse-migration.md), checked
#      against `irra ctl orders|trades` and the recorded modes: every backup order and its
#      trades, main-site trades only while ACTIVE; four runs in reverse_migrations and an
#      audit chain that verifies (the server appended to it meanwhile).
#   reverse_migrate_test.sh IRRA SIM GEN_DUMP [MYSQL_URL]
# With MYSQL_URL (IRRA_TEST_MYSQL_URL) the target is the database irra_main_test on that
# server (scripts/lib/mariadb.sh creates it); without, a SQLite file. IRRA's own database is
# a SQLite file. Ports: four free ones in 22500-22999.
set -euo pipefail
# shellcheck source=../../scripts/lib/ports.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../scripts/lib/ports.sh"

irra=$(readlink -f "$1") sim=$(readlink -f "$2") gen=$(readlink -f "$3") mysql_url=${4:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/irra-rm.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ -n "${IRRA_E2E_KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
fail() {
  echo "FAIL: $*" >&2
  tail -n 20 irra.log >&2 2>/dev/null || true
  exit 1
}
say() { echo "reverse_migrate_test: $*"; }

# ------------------------------------------------------------------ ports, target
base=$(free_port_block 4 22500 22999) || fail "no four free ports in 22500-22999"
fix=$base health=$((base + 1)) https=$((base + 2)) metrics=$((base + 3))

if [[ -n "$mysql_url" ]]; then
  rest=${mysql_url#mysql://}; creds=${rest%%@*}; hostdb=${rest#*@}; hostport=${hostdb%%/*}
  target="mysql://$creds@$hostport/irra_main_test"
  mysql_main=(mariadb --batch -N -u"${creds%%:*}" -p"${creds#*:}" -h"${hostport%%:*}"
    -P"${hostport##*:}" irra_main_test)
  "${mysql_main[@]}" -e "DROP TABLE IF EXISTS irra_backup_orders, irra_backup_trades"
  main_sql() { "${mysql_main[@]}" -e "$1"; }
else
  target="sqlite3://$work/main.db"
  main_sql() { sqlite3 -separator $'\t' "$work/main.db" "$1"; }
fi
irra_sql() { sqlite3 -separator $'\t' "$work/irra.db" "$1"; }

cat > irra.json <<JSON
{ "database": { "url": "sqlite3://$work/irra.db" },
  "http": { "listen": "127.0.0.1:$https" },
  "metrics": { "listen": "127.0.0.1:$metrics" },
  "exchange": { "host": "127.0.0.1", "port": $fix, "heartbeat_s": 5,
                "reconnect_min_ms": 100, "reconnect_max_ms": 500 },
  "failover": { "probes": [] },
  "notify": { "sink": "file", "file": "$work/notifications.jsonl" },
  "admin": { "socket": "$work/irra.sock" } }
JSON

# ------------------------------------------------------------------ the command line alone
"$irra" --help | grep -q "reverse-migrate" || fail "irra --help lists reverse-migrate"
"$irra" reverse-migrate --help | grep -q "Usage: irra reverse-migrate" || fail "reverse-migrate --help"
usage_error() { # EXPECTED_TEXT ARGS...: exit 2 with one line naming the flag
  local want=$1 rc=0
  shift
  "$irra" reverse-migrate "$@" > /dev/null 2> err || rc=$?
  [[ $rc -eq 2 && $(wc -l < err) -eq 1 ]] && grep -q -- "$want" err ||
    fail "reverse-migrate $* exits 2 with one line naming $want (got $rc: $(cat err))"
}
usage_error "--to DB_URL or --out DIR" --config irra.json
usage_error "--to" --config irra.json --to "postgres://x/y"
usage_error "--trading-date" --config irra.json --out x --trading-date 2024-13-45
usage_error "--config" --to "$target"
touch not-a-dir
usage_error "--out" --config irra.json --out not-a-dir

# ------------------------------------------------------------------ a day on the backup
"$gen" --out dump --clients 200 --positions-per-client 4 --seed 31 > gen.log 2>&1 || fail "gen-dump"
"$irra" sod-import --config irra.json --dump dump > import.log 2>&1 || fail "sod-import: $(tail -n 3 import.log)"
"$sim" --listen "127.0.0.1:$fix" --dump dump --health-listen "127.0.0.1:$health" \
  --flow-rate 0 --walk-ms 0 --seed 32 > sim.log 2>&1 &
pids+=($!)
(exec "$irra" serve --config irra.json --active > irra.log 2>&1) &
irra_pid=$!
pids+=("$irra_pid")
for _ in $(seq 300); do
  kill -0 "$irra_pid" 2>/dev/null || fail "irra serve exited during start-up"
  [[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://127.0.0.1:$https/readyz" || true) == 200 ]] && break
  sleep 0.2
done
[[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://127.0.0.1:$https/readyz" || true) == 200 ]] ||
  fail "irra not ready"

now_iso() { python3 -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))'; }
# The server records its modes in mode_transitions; should this build not (yet) do it for a
# mode, the test records the transition itself, at the moment it happened.
ensure_transition() { # TO_MODE FROM_MODE
  if [[ $(irra_sql "SELECT COUNT(*) FROM mode_transitions WHERE to_mode = '$1'") -eq 0 ]]; then
    say "note: the server recorded no transition to $1; the test records it"
    irra_sql "INSERT INTO mode_transitions (at, from_mode, to_mode, trigger_kind, actor, reason)
              VALUES ('$(now_iso)', '$2', '$1', 'command', 'test', 'reverse_migrate_test')"
  fi
}
ensure_transition active standby

sim_state() { curl -sf "http://127.0.0.1:$health/control/state?positions=0"; }
json_field() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }
main_flow() { # TOTAL: main-site reports since the start (the simulator's limit), then wait
  # until IRRA has applied all of them
  curl -sf -X POST "http://127.0.0.1:$health/control/flow?rate=3000&count=$1" > /dev/null || fail "POST /control/flow"
  for _ in $(seq 300); do [[ $(sim_state | json_field flow.done) == True ]] && break; sleep 0.1; done
  for _ in $(seq 300); do
    mine=$("$irra" ctl status --config irra.json 2>/dev/null | json_field exchange.DC.next_in_seq || true)
    [[ -n $mine && $mine == "$(sim_state | json_field sessions.dc.next_out_seq)" ]] && return 0
    sleep 0.1
  done
  fail "irra did not catch up with the drop copy"
}
main_flow 600
say "ACTIVE: main-site flow applied"

# An investor squares off through the API: one slice that fills at once, one that rests.
"$irra" ctl positions --config irra.json > positions.jsonl || fail "irra ctl positions"
cat > square_off.py <<'PY'
import csv, http.client, json, os, ssl, sys, time
port, notify, dump, positions = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl._create_unverified_context()
def req(method, path, body=None, cookie=None, csrf=None, key=None):
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=20)
    h = {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if cookie: h["Cookie"] = cookie
    if csrf: h["X-CSRF-Token"] = csrf
    if key: h["Idempotency-Key"] = key
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    text = r.read().decode()
    return r.status, r.getheader("Set-Cookie"), json.loads(text) if text else None
eligible = {r["ucc"] for r in csv.DictReader(open(f"{dump}/clients.csv")) if r["eligible"] == "Y"}
cands = [p for p in map(json.loads, open(positions))
         if p["ucc"] in eligible and p["segment"] == "EQ" and p["squareoff_qty"] >= 2
         and p["ltp"] is not None]
for p in cands:
    tick = round(p["tick_size"] * 100)
    ltp = round(p["ltp"] * 100)
    away = ltp + 20 * tick if p["net_qty"] > 0 else ltp - 20 * tick
    if round(p["lower_band"] * 100) <= away <= round(p["upper_band"] * 100):
        break
else:
    sys.exit("no eligible client with an EQ position to square off")
ucc = p["ucc"]
offset = os.path.getsize(notify) if os.path.exists(notify) else 0
st, _, j = req("POST", "/api/v1/auth/otp", {"login": ucc})
assert st == 202, (st, j)
otp = None
for _ in range(100):
    if not os.path.exists(notify):  # the sink may open it on its first message
        time.sleep(0.1)
        continue
    with open(notify) as f:
        f.seek(offset)
        for line in f:
            m = json.loads(line)
            if m.get("type") == "otp" and m.get("ucc") == ucc:
                otp = str(m["otp"])
    if otp: break
    time.sleep(0.1)
assert otp, "no OTP in the notification file"
st, set_cookie, j = req("POST", "/api/v1/auth/login", {"challenge_id": j["challenge_id"], "otp": otp})
assert st == 200, (st, j)
cookie, csrf = set_cookie.split(";")[0], j["csrf_token"]
what = {"instrument": p["instrument"], "product": p["product"], "qty": 1}
st, _, now = req("POST", "/api/v1/positions/square-off", dict(what, order_type="MARKET"), cookie, csrf, "rm-1")
assert st == 202, (st, now)
st, _, rest = req("POST", "/api/v1/positions/square-off",
                  dict(what, order_type="LIMIT", price=away / 100), cookie, csrf, "rm-2")
assert st == 202, (st, rest)
print(json.dumps({"ucc": ucc, "instrument": p["instrument"], "filled": now["orders"][0]["order_id"],
                  "resting": rest["orders"][0]["order_id"], "price": "%.2f" % (away / 100)}))
PY
python3 square_off.py "$https" "$work/notifications.jsonl" dump positions.jsonl > squared.json ||
  fail "square-off through the API"
ucc=$(json_field ucc < squared.json)
filled_id=$(json_field filled < squared.json)
resting_id=$(json_field resting < squared.json)
order_status() { # ORDER_ID
  "$irra" ctl orders --config irra.json --ucc "$ucc" |
    python3 -c 'import json,sys; print(next((o["status"] for o in map(json.loads, sys.stdin) if o["order_id"] == sys.argv[1]), ""))' "$1"
}
wait_status() { # ORDER_ID STATUS
  for _ in $(seq 200); do [[ $(order_status "$1") == "$2" ]] && return 0; sleep 0.1; done
  fail "order $1 is $(order_status "$1"), not $2"
}
wait_status "$filled_id" FILLED
wait_status "$resting_id" OPEN
say "square-offs of $ucc: $filled_id filled, $resting_id resting"

# RECOVERY: main-site trades from now on are the main site's own.
"$irra" ctl recover --config irra.json --reason "main site back" > recover.json 2>&1 ||
  say "note: irra ctl recover: $(head -c 200 recover.json)"
ensure_transition recovery active
sleep 0.2
main_flow 1000
say "RECOVERY: more main-site flow applied"

# ------------------------------------------------------------------ 1. twice: nothing new
dump_target() { # FILE
  main_sql "SELECT * FROM irra_backup_orders ORDER BY trading_date, order_id" > "$1"
  main_sql "SELECT * FROM irra_backup_trades ORDER BY trading_date, trade_id" >> "$1"
}
migrate() { # NAME: one run into the target and out/, its report in NAME.json
  "$irra" reverse-migrate --config irra.json --to "$target" --out out > "$1.json" 2> "$1.err" ||
    fail "reverse-migrate ($1): $(cat "$1.err")"
}
migrate run1
dump_target target1.txt
cp -r out out1
migrate run2
dump_target target2.txt
cmp target1.txt target2.txt || fail "the second run changed the target's tables"
diff -r out1 out > /dev/null || fail "the second run changed the files"
[[ $(json_field orders_written < run1.json) -ge 2 && $(json_field trades_written < run1.json) -ge 1 ]] ||
  fail "the first run wrote the orders and trades: $(cat run1.json)"
[[ $(json_field orders_written < run2.json) -eq 0 && $(json_field trades_written < run2.json) -eq 0 ]] ||
  fail "the second run wrote nothing: $(cat run2.json)"
"$irra" reverse-migrate --config irra.json --out out-only > run-files.json 2> run-files.err ||
  fail "reverse-migrate --out alone: $(cat run-files.err)"
diff -r out1 out-only > /dev/null || fail "--out alone wrote other files than --to with --out"
say "runs 1 and 2: $(wc -l < target1.txt) rows; the second wrote nothing, tables and files identical"

# ------------------------------------------------------------------ 2. a later fill is handed over
curl -sf -X POST "http://127.0.0.1:$health/control/price?instrument=$(json_field instrument < squared.json)&price=$(json_field price < squared.json)" \
  > /dev/null || fail "POST /control/price"
wait_status "$resting_id" FILLED
migrate run3
[[ $(python3 -c 'import json,sys; print(json.load(sys.stdin)["targets"]["database"]["written"]["orders_updated"])' < run3.json) -eq 1 ]] ||
  fail "run 3 updated the order that filled: $(cat run3.json)"
[[ $(json_field trades_written < run3.json) -ge 1 ]] || fail "run 3 added the new trade: $(cat run3.json)"
[[ $(main_sql "SELECT status FROM irra_backup_orders WHERE order_id = '$resting_id'") == FILLED ]] ||
  fail "the target shows $resting_id FILLED"
dump_target target3.txt
cp -r out out3
migrate run4
dump_target target4.txt
cmp target3.txt target4.txt || fail "run 4 changed the target"
diff -r out3 out > /dev/null || fail "run 4 changed the files"
[[ $(json_field orders_written < run4.json) -eq 0 && $(json_field trades_written < run4.json) -eq 0 ]] ||
  fail "run 4 wrote nothing: $(cat run4.json)"
say "runs 3 and 4: the filled order updated, then nothing"

# ------------------------------------------------------------------ 3. the rule
"$irra" ctl orders --config irra.json > orders.jsonl || fail "irra ctl orders"
"$irra" ctl trades --config irra.json > trades.jsonl || fail "irra ctl trades"
irra_sql "SELECT at, from_mode, to_mode FROM mode_transitions ORDER BY id" > modes.tsv
main_sql "SELECT order_id, source, status FROM irra_backup_orders" > got-orders.tsv
main_sql "SELECT trade_id, source FROM irra_backup_trades" > got-trades.tsv
cat > check.py <<'PY'
import datetime, json, sys
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
orders = {o["order_id"]: o for o in map(json.loads, open("orders.jsonl"))}
trades = [json.loads(l) for l in open("trades.jsonl")]
periods, start = [], None
for i, (at, frm, to) in enumerate(l.rstrip("\n").split("\t") for l in open("modes.tsv")):
    if i == 0 and frm == "active": start = datetime.datetime.min
    if to == "active" and start is None: start = t(at)
    elif to != "active" and start is not None: periods.append((start, t(at))); start = None
if start is not None: periods.append((start, datetime.datetime.max))
backup = {k for k, o in orders.items() if o["source"] == "backup"}
want_trades = {x["trade_id"]: orders[x["order_id"]]["source"] for x in trades
               if x["order_id"] in backup or any(a <= t(x["time"]) < b for a, b in periods)}
got_orders = {l.split("\t")[0]: l.split("\t")[1] for l in open("got-orders.tsv").read().splitlines()}
got_trades = dict(l.split("\t") for l in open("got-trades.tsv").read().splitlines())
problems = []
if {k for k, s in got_orders.items() if s == "backup"} != backup:
    problems.append(f"backup orders: handed over {sorted(got_orders)} want {sorted(backup)}")
if got_trades != want_trades:
    problems.append(f"trades differ: missing {sorted(set(want_trades) - set(got_trades))[:5]}, "
                    f"extra {sorted(set(got_trades) - set(want_trades))[:5]}")
main_all = sum(1 for x in trades if orders[x["order_id"]]["source"] == "main")
main_got = sum(1 for s in got_trades.values() if s == "main")
if not 0 < main_got < main_all:
    problems.append(f"{main_got} of {main_all} main-site trades handed over: want some, not all")
print("\n".join(problems) or f"{len(backup)} backup orders, {len(got_trades)} trades "
      f"({main_got} of {main_all} main-site ones, those while ACTIVE) as the rule says")
sys.exit(1 if problems else 0)
PY
python3 check.py > check.out || { cat check.out >&2; fail "what was handed over breaks the rule"; }
say "$(cat check.out)"
[[ $(irra_sql "SELECT COUNT(*) FROM reverse_migrations") -eq 5 ]] || fail "five runs recorded in reverse_migrations"
[[ $(irra_sql "SELECT COUNT(*) FROM reverse_migrations WHERE target LIKE '%***%'") -eq 4 || -z "$mysql_url" ]] ||
  fail "the target's password is redacted in reverse_migrations"
[[ $(irra_sql "SELECT COUNT(*) FROM audit_log WHERE type = 'reverse_migration.run'") -eq 5 ]] || fail "five runs audited"
"$irra" audit verify --config irra.json > verify.json || fail "the audit chain verifies: $(cat verify.json)"

# ------------------------------------------------------------------ stop by PID
kill -TERM "$irra_pid"
rc=0
wait "$irra_pid" || rc=$?
[[ $rc -eq 0 ]] || fail "irra serve exited with $rc after SIGTERM"
say "passed ($target)"
