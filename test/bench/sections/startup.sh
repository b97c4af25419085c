#!/usr/bin/env bash
# Section "startup": time from `irra serve` to /readyz 200, and resident memory, with
# 100,000 clients and 1,000,000 positions imported (quality.md: ready in under 5 s, under
# 400 MB resident). The exchange simulator is up before irra starts, so ready means the
# database is open, the day's state is loaded and the FIX sessions have logged on.
set -euo pipefail
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"
trap bench_stop_all EXIT

case $IRRA_BENCH_MODE in
  full) runs=3 clients=100000 ;;
  quick) runs=1 clients=100000 ;;
  *) runs=1 clients=200 ;;
esac
irra=$IRRA_BENCH_BUILD/src/app/irra sim=$IRRA_BENCH_BUILD/src/sim/irra-exchange-sim
dump=$(bench_dump "sod-$clients" --clients "$clients" --positions-per-client 10 --seed 7)
dbs=(sqlite)
[[ -n "${IRRA_BENCH_MYSQL_DIR:-}" ]] && dbs+=(mariadb)
: > "$IRRA_BENCH_WORK/runs.jsonl"
for db in "${dbs[@]}"; do
  dir="$IRRA_BENCH_WORK/$db"
  mkdir -p "$dir"
  port=$(bench_ports 4)
  bench_irra_config "$dir/irra.json" "$dir" "$(bench_db_url "$db" "$dir" irra_bench_startup)" \
    "$port" $((port + 1)) $((port + 2))
  bench_sod_import "$dir/irra.json" "$dump"
  "$sim" --listen "127.0.0.1:$((port + 2))" --health-listen "127.0.0.1:$((port + 3))" \
    --dump "$dump" --flow-rate 0 --walk-ms 0 > "$dir/sim.log" 2>&1 &
  sim_pid=$!
  bench_pids+=("$sim_pid")
  bench_wait_200 "http://127.0.0.1:$((port + 3))/health" 120 "$sim_pid" ||
    { tail -n 5 "$dir/sim.log" >&2; bench_die "the simulator did not start"; }
  for run in $(seq "$runs"); do
    t0=$(date +%s.%N)
    "$irra" serve --config "$dir/irra.json" >> "$dir/irra.log" 2>&1 &
    irra_pid=$!
    bench_pids+=("$irra_pid")
    bench_wait_200 "https://127.0.0.1:$port/readyz" 120 "$irra_pid" ||
      { tail -n 5 "$dir/irra.log" >&2; bench_die "irra did not become ready on $db"; }
    ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
    rss_ready=$(bench_rss_kb "$irra_pid")
    sleep 3
    rss=$(bench_rss_kb "$irra_pid") hwm=$(bench_hwm_kb "$irra_pid")
    bench_say "$db, run $run: ready in $ready s; resident $((rss / 1024)) MB (peak $((hwm / 1024)) MB)"
    printf '{"db":"%s","run":%d,"ready_s":%s,"rss_ready_kb":%d,"rss_kb":%d,"hwm_kb":%d}\n' \
      "$db" "$run" "$ready" "$rss_ready" "$rss" "$hwm" >> "$IRRA_BENCH_WORK/runs.jsonl"
    kill "$irra_pid"
    wait "$irra_pid" 2> /dev/null || true
  done
  bench_stop_all
done

python3 - "$IRRA_BENCH_WORK/runs.jsonl" "$IRRA_BENCH_OUT" "$clients" "$(($(wc -l < "$dump/positions.csv") - 1))" << 'PY'
import json, statistics, sys
src, out, clients, positions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = [json.loads(l) for l in open(src) if l.strip()]
med = statistics.median
figures = []
for db, name in (("sqlite", "SQLite"), ("mariadb", "MariaDB")):
    rs = [r for r in runs if r["db"] == db]
    if not rs:
        continue
    suffix = "" if db == "sqlite" else ".mariadb"
    ready = [r["ready_s"] for r in rs]
    rss = [r["rss_kb"] / 1024 for r in rs]
    hwm = [r["hwm_kb"] / 1024 for r in rs]
    figures += [
        dict(id=f"startup{suffix}.ready_s",
             label=f"start to ready, {clients:,} clients / {positions:,} pos., {name}",
             unit="s", better="lower", value=med(ready), runs=ready, baseline=None,
             target=dict(op="<=", value=5, text="ready in under 5 s")),
        dict(id=f"startup{suffix}.rss_mb", label=f"resident memory when ready, {name}", unit="MB",
             better="lower", value=med(rss), runs=rss, baseline=None,
             target=dict(op="<=", value=400, text="under 400 MB resident")),
        dict(id=f"startup{suffix}.peak_rss_mb", label=f"peak resident memory in start-up, {name}",
             unit="MB", better="lower", value=med(hwm), runs=hwm, baseline=None, target=None)]
json.dump(dict(section="startup", title="Memory and start-up", figures=figures, series={},
               info=dict(clients=clients, positions=positions, runs=runs), notes=[]),
          open(out, "w"), indent=2)
PY
