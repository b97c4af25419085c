#!/usr/bin/env bash
# Section "ingest": drop-copy execution reports applied and persisted (quality.md: 100,000/s
# on SQLite, 75,000/s on MariaDB).
#  - in process (irra_trading_bench): decoded reports fed to the engine as the FIX transport
#    would, until the last batch has committed; baseline: the database's own batched insert
#    of the same rows (INSERT ... SELECT, 5,000 rows a transaction) in the same run;
#  - end to end: irra-exchange-sim at its maximum flow rate over FIX/TCP to `irra serve`,
#    from the moment the flow is switched on until the last one is applied and the write backlog is
#    empty (from irra's /metrics).
set -euo pipefail
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"
trap bench_stop_all EXIT

bench=$IRRA_BENCH_BUILD/test/bench/irra_trading_bench
[[ -x "$bench" ]] || bench_die "$bench is missing (built when Google Benchmark is installed)"
case $IRRA_BENCH_MODE in
  full) reps=3 flow=1000000 e2e_runs=3 ;;
  quick) reps=1 flow=300000 e2e_runs=1 ;;
  *) reps=1 flow=5000 e2e_runs=1 ;;
esac
filter='BM_database_own_insert|BM_ingest_and_persist/512'
[[ $IRRA_BENCH_MODE == smoke ]] && filter='BM_ingest_and_persist/512'
dbs=(sqlite)
[[ -n "${IRRA_BENCH_MYSQL_DIR:-}" ]] && dbs+=(mariadb)
for db in "${dbs[@]}"; do
  bench_say "in process, $db: irra_trading_bench, $reps repetition(s)"
  url=""
  [[ $db == mariadb ]] && url=$(bench_mysql_fresh irra_bench_ingest)
  (cd "$IRRA_BENCH_WORK" && IRRA_TEST_DB_URL=$url TMPDIR=$IRRA_BENCH_WORK "$bench" \
    --benchmark_filter="$filter" --benchmark_repetitions="$reps" \
    --benchmark_out="$IRRA_BENCH_WORK/ingest-$db.json" --benchmark_out_format=json \
    > /dev/null 2> "$IRRA_BENCH_WORK/ingest-$db.err") ||
    { cat "$IRRA_BENCH_WORK/ingest-$db.err" >&2; bench_die "irra_trading_bench failed on $db"; }
done

# --- end to end over FIX/TCP --------------------------------------------------------------------
irra=$IRRA_BENCH_BUILD/src/app/irra sim=$IRRA_BENCH_BUILD/src/sim/irra-exchange-sim
dump=$(bench_dump ingest-1k --clients 1000 --positions-per-client 5 --seed 21)
: > "$IRRA_BENCH_WORK/e2e.jsonl"
for db in "${dbs[@]}"; do for run in $(seq "$e2e_runs"); do
  dir="$IRRA_BENCH_WORK/e2e-$db-$run"
  mkdir -p "$dir"
  port=$(bench_ports 4)
  bench_irra_config "$dir/irra.json" "$dir" "$(bench_db_url "$db" "$dir" irra_bench_ingest_e2e)" \
    "$port" $((port + 1)) $((port + 2))
  bench_sod_import "$dir/irra.json" "$dump"
  "$irra" serve --config "$dir/irra.json" > "$dir/irra.log" 2>&1 &
  irra_pid=$!
  bench_pids+=("$irra_pid")
  bench_wait_200 "https://127.0.0.1:$port/healthz" 30 "$irra_pid" ||
    { tail -n 5 "$dir/irra.log" >&2; bench_die "irra did not start"; }
  # The simulator starts without a flow; once irra is ready (drop copy logged on) the flow is
  # switched on at its maximum rate, and the clock starts there.
  "$sim" --listen "127.0.0.1:$((port + 2))" --health-listen "127.0.0.1:$((port + 3))" \
    --dump "$dump" --flow-rate 0 --walk-ms 0 --seed 21 > "$dir/sim.log" 2>&1 &
  sim_pid=$!
  bench_pids+=("$sim_pid")
  bench_wait_200 "https://127.0.0.1:$port/readyz" 60 "$irra_pid" ||
    { tail -n 5 "$dir/irra.log" "$dir/sim.log" >&2; bench_die "irra did not become ready"; }
  metrics="http://127.0.0.1:$((port + 1))/metrics"
  bench_say "end to end, $db, run $run: $flow reports from irra-exchange-sim at its maximum rate"
  c0=$(bench_cpu_ticks "$irra_pid") s0=$(bench_cpu_ticks "$sim_pid")
  first=$(date +%s.%N)
  curl -sf --max-time 5 -X POST -o /dev/null \
    "http://127.0.0.1:$((port + 3))/control/flow?rate=100000000&count=$flow" ||
    bench_die "the simulator refused /control/flow"
  done_at="" applied=0
  deadline=$((SECONDS + 240))
  while ((SECONDS < deadline)); do
    body=$(curl -sf --max-time 2 "$metrics" || true)
    now=$(date +%s.%N)
    applied=$(awk '$1 == "irra_feed_reports_applied_total" { printf "%.0f", $2 }' <<< "$body")
    backlog=$(awk '$1 == "irra_db_write_backlog" { printf "%.0f", $2 }' <<< "$body")
    if ((${applied:-0} >= flow)) && [[ "${backlog:-1}" == 0 ]]; then
      done_at=$now
      break
    fi
    sleep 0.02
  done
  [[ -n "$done_at" ]] || bench_die "run $run: $applied of $flow reports applied within 240 s"
  c1=$(bench_cpu_ticks "$irra_pid") s1=$(bench_cpu_ticks "$sim_pid")
  printf '{"db":"%s","reports":%d,"seconds":%s,"irra_cpu_s":%s,"sim_cpu_s":%s}\n' \
    "$db" "$flow" "$(awk -v a="$first" -v b="$done_at" 'BEGIN { print b - a }')" \
    "$(awk -v t=$((c1 - c0)) -v h="$(getconf CLK_TCK)" 'BEGIN { print t / h }')" \
    "$(awk -v t=$((s1 - s0)) -v h="$(getconf CLK_TCK)" 'BEGIN { print t / h }')" \
    >> "$IRRA_BENCH_WORK/e2e.jsonl"
  bench_stop_all
done; done

python3 - "$IRRA_BENCH_WORK" "$IRRA_BENCH_OUT" "${dbs[*]}" << 'PY'
import json, os, statistics, sys
work, out, dbs = sys.argv[1], sys.argv[2], sys.argv[3].split()
med = statistics.median
figures, info = [], {}
targets = {"sqlite": 100_000, "mariadb": 75_000}
for db in dbs:
    d = json.load(open(os.path.join(work, f"ingest-{db}.json")))
    def runs(prefix, key):
        return [b[key] for b in d["benchmarks"]
                if b.get("run_type", "iteration") == "iteration" and b["run_name"].startswith(prefix)]
    ingest = runs("BM_ingest_and_persist/512", "reports_per_s")
    own = runs("BM_database_own_insert", "rows_per_s")
    name = "SQLite" if db == "sqlite" else "MariaDB"
    figures.append(dict(
        id=f"ingest.{db}.reports_per_s",
        label=f"drop copy applied + persisted, in process, {name}", unit="reports/s",
        better="higher", value=med(ingest), runs=ingest,
        baseline=dict(label=f"{name}'s own batched insert of the same rows", value=med(own),
                      runs=own) if own else None,
        target=dict(op=">=", value=targets[db],
                    text=f"{targets[db]:,} execution reports/s on {name}")))
    info[f"{db}_context"] = d.get("context", {})
e2e = [json.loads(l) for l in open(os.path.join(work, "e2e.jsonl")) if l.strip()]
# From the flow's start to the last report applied and committed (polled every 20 ms).
for db in dbs:
    name = "SQLite" if db == "sqlite" else "MariaDB"
    rates = [r["reports"] / r["seconds"] for r in e2e if r["db"] == db]
    figures.append(dict(
        id=f"ingest.e2e.{db}.reports_per_s",
        label=f"drop copy end to end, simulator over FIX/TCP, {name}",
        unit="reports/s", better="higher", value=med(rates), runs=rates, baseline=None,
        target=dict(op=">=", value=targets[db], text=f"{targets[db]:,} execution reports/s on {name}")))
json.dump(dict(
    section="ingest", title="Drop-copy ingest", figures=figures, series={},
    info=dict(info, e2e_runs=e2e),
    notes=[f"end to end, {db}: irra used "
           f"{med(r['irra_cpu_s'] / r['seconds'] for r in e2e if r['db'] == db):.2f} cores and the "
           f"simulator {med(r['sim_cpu_s'] / r['seconds'] for r in e2e if r['db'] == db):.2f} "
           "while the flow ran" for db in dbs]),
    open(out, "w"), indent=2)
PY
