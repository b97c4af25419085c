#!/usr/bin/env bash
# Benchmark section "Square-off end to end": HTTPS POST /api/v1/positions/square-off -> risk
# gate -> durable order -> FIX NewOrderSingle on the wire -> fill from irra-exchange-sim, on
# SQLite and on MariaDB. Run by scripts/bench (the IRRA_BENCH_* variables: see lib.sh); the
# helpers (logins, request files, counters, results) are in squareoff.py.
#
# Per database: a dump of 40 positions per client, irra sod-import, irra-exchange-sim (prices
# frozen, no main-site flow) and irra serve --active with exchange.order_rate_limit raised;
# the investors with the most open lots logged in through the real API (each square-off is
# one lot of one of their positions, never more than it holds); then irra-loadgen, open loop:
#   latency  a fixed 500 orders/s (full: 3 runs of 30 s after a 5 s warm-up), p50..max and
#            irra's CPU per order
#   ladder   offered-rate steps of a few seconds each; "sustained" is the highest offered
#            rate with no error, p99 under SUSTAINED_P99_MS, at least 95% of it achieved and
#            the NewOrderSingles on the wire keeping up (at most 100 ms of orders unsent as
#            the schedule ends). The ladder stops after two steps in a row fail.
# After every run the section waits until each order irra placed is on the wire and filled,
# and checks that every 202 answer became one order placed, one NewOrderSingle the exchange
# received (its /control/state) and one fill in irra's mirror (irra's /metrics); a shortfall
# is a note in the results and counts against the run.
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh's bench_die
IRRA_BENCH_SECTION=squareoff
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py() { python3 "$here/squareoff.py" "$@"; }

build=$IRRA_BENCH_BUILD work=$IRRA_BENCH_WORK mode=${IRRA_BENCH_MODE:-full}
irra=$build/src/app/irra gen=$build/src/tools/irra-gen-dump
sim=$build/src/sim/irra-exchange-sim loadgen=$build/test/bench/irra-loadgen
for b in "$irra" "$gen" "$sim" "$loadgen"; do [[ -x "$b" ]] || bench_die "missing $b"; done

SUSTAINED_P99_MS=100
ORDER_RATE_LIMIT=1000000
case "$mode" in
  full)
    clients=1000 logins=300 lat_rate=500 lat_warmup=5 lat_secs=30 lat_runs=3
    ladder=(500 1000 2000 3000 4000 5000 6000 8000) step_secs=3 ladder_runs=3 ;;
  quick)
    clients=600 logins=120 lat_rate=500 lat_warmup=2 lat_secs=10 lat_runs=2
    ladder=(500 1000 2000 3000 4000 5000 6000 8000) step_secs=2 ladder_runs=1 ;;
  smoke)
    clients=100 logins=10 lat_rate=100 lat_warmup=0.5 lat_secs=2 lat_runs=1
    ladder=(200) step_secs=1 ladder_runs=1 ;;
  *) bench_die "IRRA_BENCH_MODE must be full, quick or smoke, not '$mode'" ;;
esac
hz=$(getconf CLK_TCK)
runs=$work/runs.jsonl
: > "$runs"
notes=()
trap bench_stop_all EXIT

# Busy ticks of the whole machine (/proc/stat: all but idle and iowait), and the CPU of this
# shell's finished children (irra-loadgen, waited for).
machine_busy() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6; exit }' /proc/stat; }
children_ticks() {
  local s
  s=$(< "/proc/$$/stat")
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo $((${14} + ${15}))
}

# One irra-loadgen run against the current database's servers, recorded in runs.jsonl.
# Globals of the database being measured: db, d, http, metrics_url, sim_url, irra_pid, sim_pid,
# db_pid (mariadbd, counted with the simulator as the rest of the system under test).
loadgen_run() { # KIND RUN RATE SECONDS
  local kind=$1 run=$2 rate=$3 secs=$4 n tag before end after threads=1
  local i0 i1 s0 s1 m0 m1 c0 c1 w0 w1
  tag="$kind$run-$rate-$RANDOM"
  n=$(python3 -c "import math; print(math.ceil($rate * $secs * 1.02) + 16)")
  py requests "$d/sessions.json" "$d/cursor" "$n" "$tag" "$d/requests.jsonl"
  # A connection carries one request at a time, so the connections bound the orders in
  # flight: 256 for the ladder, so that the generator is not what holds the rate back.
  local connections=64
  [[ "$kind" == step ]] && connections=256
  ((rate > 2000)) && threads=2
  before=$(py counters "$metrics_url" "$sim_url")
  i0=$(bench_cpu_ticks "$irra_pid") s0=$(bench_cpu_ticks "$sim_pid" ${db_pid:+"$db_pid"}) m0=$(machine_busy)
  c0=$(children_ticks) w0=$(date +%s.%N)
  "$loadgen" --url "https://127.0.0.1:$http" --rate "$rate" --duration "$secs" \
    --connections "$connections" --threads "$threads" --requests "$d/requests.jsonl" \
    --out "$d/loadgen.json" > "$d/loadgen.log" 2>&1 ||
    { cat "$d/loadgen.log" >&2; bench_die "irra-loadgen failed"; }
  i1=$(bench_cpu_ticks "$irra_pid") s1=$(bench_cpu_ticks "$sim_pid" ${db_pid:+"$db_pid"}) m1=$(machine_busy)
  c1=$(children_ticks) w1=$(date +%s.%N)
  end=$(py counters "$metrics_url" "$sim_url")
  after=$(py settle "$metrics_url" "$sim_url" 20)
  [[ "$kind" == warmup ]] && return 0
  py record "$db" "$kind" "$run" "$d/loadgen.json" "$before" "$end" "$after" "$SUSTAINED_P99_MS" \
    "$hz" "$w0" "$w1" "$((i1 - i0))" "$((s1 - s0))" "$((c1 - c0))" "$((m1 - m0))" >> "$runs"
}

measure_db() { # NAME DATABASE_URL
  db=$1
  local url=$2 port fix health i rate passed failed
  d=$work/$db
  mkdir -p "$d"
  port=$(bench_ports 4)
  http=$port metrics_url="http://127.0.0.1:$((port + 1))/metrics" fix=$((port + 2)) health=$((port + 3))
  sim_url="http://127.0.0.1:$health"
  bench_irra_config "$d/irra.json" "$d" "$url" "$http" "$((port + 1))" "$fix"
  bench_config_set "$d/irra.json" "exchange.order_rate_limit=$ORDER_RATE_LIMIT"

  bench_say "$db: dump of $clients clients with 40 positions each, irra sod-import"
  "$gen" --out "$d/dump" --clients "$clients" --positions-per-client 40 --seed 7 > /dev/null
  bench_sod_import "$d/irra.json" "$d/dump"

  bench_say "$db: irra-exchange-sim (prices frozen) and irra serve --active on 127.0.0.1:$http"
  (cd "$d" && exec "$sim" --listen "127.0.0.1:$fix" --dump dump --health-listen "127.0.0.1:$health" \
    --flow-rate 0 --walk-ms 0 --seed 7 --log-level warn > sim.log 2>&1) &
  sim_pid=$!
  bench_pids+=("$sim_pid")
  (cd "$d" && exec "$irra" serve --config irra.json --active > irra.log 2>&1) &
  irra_pid=$!
  bench_pids+=("$irra_pid")
  bench_wait_200 "https://127.0.0.1:$http/readyz" 60 "$irra_pid" ||
    { tail -n 20 "$d/irra.log" >&2; bench_die "$db: irra not ready (/readyz) within 60 s"; }

  bench_say "$db: logging in $logins investors (POST /api/v1/auth/otp, OTP from the notification file, /auth/login)"
  py login "$http" "$d/dump" "$d/notifications.jsonl" "$logins" "$d/sessions.json" ||
    bench_die "$db: logging in failed"

  bench_say "$db: latency at $lat_rate orders/s offered: warm-up ${lat_warmup}s, $lat_runs x ${lat_secs}s"
  loadgen_run warmup 0 "$lat_rate" "$lat_warmup"
  for ((i = 1; i <= lat_runs; i++)); do loadgen_run latency "$i" "$lat_rate" "$lat_secs"; done

  for ((i = 1; i <= ladder_runs; i++)); do
    bench_say "$db: offered-rate ladder ${ladder[*]} orders/s, ${step_secs}s each (run $i of $ladder_runs)"
    failed=0
    for rate in "${ladder[@]}"; do
      loadgen_run step "$i" "$rate" "$step_secs"
      passed=$(tail -n 1 "$runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["passed"])')
      if [[ "$passed" == True ]]; then failed=0; else failed=$((failed + 1)); fi
      ((failed < 2)) || break
    done
  done
  if grep -qiE 'error|critical' "$d/irra.log"; then
    notes+=("$db: irra logged errors during the run: $(grep -iE 'error|critical' "$d/irra.log" | head -n 3 | tr '\n' ' ')")
  fi
  bench_stop_all
}

db_pid=
measure_db sqlite "sqlite3://$work/sqlite/irra.db"
if [[ -n "${IRRA_BENCH_MYSQL_DIR:-}" ]]; then
  db_pid=$(cat "$IRRA_BENCH_MYSQL_DIR/mariadb.pid" 2> /dev/null) || db_pid=
  measure_db mariadb "$(bench_mysql_fresh irra_bench_squareoff)"
else
  notes+=("MariaDB was not measured: no private MariaDB was started for this section")
fi

python3 - "$work/info.json" "$mode" "$SUSTAINED_P99_MS" "$ORDER_RATE_LIMIT" "$clients" "$logins" \
  "$lat_rate" "$lat_warmup" "$lat_secs" "$lat_runs" "$step_secs" "$ladder_runs" "${ladder[*]}" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "${notes[@]}" << 'PY'
import json, sys
(out, mode, bound, limit, clients, logins, rate, warm, secs, runs, step, lruns, ladder, cpus,
 load, *notes) = sys.argv[1:]
json.dump({"mode": mode, "sustained_p99_bound_ms": float(bound), "order_rate_limit": int(limit),
           "dump": f"{clients} clients x 40 positions (irra-gen-dump --seed 7)",
           "sessions": int(logins), "latency_rate": int(rate), "latency_warmup_s": float(warm),
           "latency_duration_s": float(secs), "latency_runs": int(runs), "step_duration_s": float(step),
           "ladder_runs": int(lruns), "ladder": [int(x) for x in ladder.split()],
           "loadgen": "irra-loadgen: 64 keep-alive connections at the fixed rate, 256 in the "
                      "ladder; 2 threads above 2,000/s",
           "order": "POST /api/v1/positions/square-off, one lot, MARKET (sent as a LIMIT at the "
                    "last price -/+ risk.market_protection_bps), a new Idempotency-Key each",
           "cpus": int(cpus), "load_average_at_end": load, "notes": notes}, open(out, "w"))
PY
py report "$runs" "$work/info.json" "$IRRA_BENCH_OUT"
