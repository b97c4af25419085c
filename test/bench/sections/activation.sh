#!/usr/bin/env bash
# Section "activation": activation notifications for 100,000 clients (quality.md: queued in
# under 5 s, all confirmed by RabbitMQ in under 30 s).
#  - irra_notify_bench: the notices committed to the outbox through the database writer
#    (queued), then delivered by the outbox relay with publisher confirms (confirmed);
#  - end to end: `irra serve` with the AMQP sink and 100,000 clients imported, `irra ctl
#    activate`, until /metrics shows every eligible client's notice confirmed by the broker.
set -euo pipefail
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"
trap bench_stop_all EXIT

[[ -n "${IRRA_BENCH_AMQP_URL:-}" ]] || bench_die "no RabbitMQ was started for this section"
bench=$IRRA_BENCH_BUILD/test/notify/irra_notify_bench
[[ -x "$bench" ]] || bench_die "$bench is missing (built with the tests)"
case $IRRA_BENCH_MODE in
  full) runs=3 clients=100000 ;;
  quick) runs=1 clients=100000 ;;
  *) runs=1 clients=300 ;;
esac
: > "$IRRA_BENCH_WORK/runs.jsonl"
for run in $(seq "$runs"); do
  line=$(cd "$IRRA_BENCH_WORK" && TMPDIR=$IRRA_BENCH_WORK IRRA_TEST_AMQP_URL=$IRRA_BENCH_AMQP_URL \
    "$bench" "$clients" 2>&1) || bench_die "irra_notify_bench failed: $line"
  bench_say "in process, run $run: $line"
  python3 - "$line" "$run" >> "$IRRA_BENCH_WORK/runs.jsonl" << 'PY'
import json, re, sys
line, run = sys.argv[1], int(sys.argv[2])
m = re.search(r"(\d+) queued .* in ([\d.]+) s .* confirmed by RabbitMQ in ([\d.]+) s.*?; (\d+) on the broker, "
              r"(\d+) published, (\d+) not confirmed", line)
if not m:
    sys.exit(f"unexpected output: {line}")
n, q, c, broker, pub, failed = m.groups()
print(json.dumps(dict(kind="bench", run=run, count=int(n), queued_s=float(q),
                      relay_s=float(c), on_broker=int(broker), failed=int(failed))))
PY
done

# --- end to end -----------------------------------------------------------------------------------
irra=$IRRA_BENCH_BUILD/src/app/irra sim=$IRRA_BENCH_BUILD/src/sim/irra-exchange-sim
dump=$(bench_dump "clients-$clients" --clients "$clients" --positions-per-client 1 --seed 9)
eligible=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "eligible") c = i; next }
  $c == "Y" { n++ } END { print n + 0 }' "$dump/clients.csv")
for run in $(seq "$runs"); do
  dir="$IRRA_BENCH_WORK/e2e-$run"
  mkdir -p "$dir"
  port=$(bench_ports 4)
  bench_irra_config "$dir/irra.json" "$dir" "sqlite3://$dir/irra.db" "$port" $((port + 1)) \
    $((port + 2))
  bench_config_set "$dir/irra.json" notify.sink='"amqp"' "notify.amqp_url=\"$IRRA_BENCH_AMQP_URL\""
  bench_sod_import "$dir/irra.json" "$dump"
  "$sim" --listen "127.0.0.1:$((port + 2))" --health-listen "127.0.0.1:$((port + 3))" \
    --dump "$dump" --flow-rate 0 --walk-ms 0 > "$dir/sim.log" 2>&1 &
  bench_pids+=($!)
  "$irra" serve --config "$dir/irra.json" > "$dir/irra.log" 2>&1 &
  irra_pid=$!
  bench_pids+=("$irra_pid")
  bench_wait_200 "https://127.0.0.1:$port/readyz" 90 "$irra_pid" ||
    { tail -n 5 "$dir/irra.log" >&2; bench_die "irra did not become ready"; }
  metrics="http://127.0.0.1:$((port + 1))/metrics"
  base=$(bench_metric "$metrics" irra_outbox_confirmed_total)
  t0=$(date +%s.%N)
  "$irra" ctl activate --reason "benchmark" --config "$dir/irra.json" > /dev/null ||
    bench_die "irra ctl activate failed"
  confirmed=0 done_at=""
  deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    confirmed=$(($(bench_metric "$metrics" irra_outbox_confirmed_total) - ${base:-0}))
    if ((confirmed >= eligible)) && [[ $(bench_metric "$metrics" irra_outbox_depth) == 0 ]]; then
      done_at=$(date +%s.%N)
      break
    fi
    sleep 0.05
  done
  [[ -n "$done_at" ]] || bench_die "run $run: $confirmed of $eligible notices confirmed within 120 s"
  secs=$(awk -v a="$t0" -v b="$done_at" 'BEGIN { printf "%.3f", b - a }')
  bench_say "end to end, run $run: $eligible notices confirmed $secs s after irra ctl activate"
  printf '{"kind":"e2e","run":%d,"count":%d,"confirmed_s":%s}\n' "$run" "$eligible" "$secs" \
    >> "$IRRA_BENCH_WORK/runs.jsonl"
  bench_stop_all
done

python3 - "$IRRA_BENCH_WORK/runs.jsonl" "$IRRA_BENCH_OUT" "$clients" << 'PY'
import json, statistics, sys
src, out, clients = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = [json.loads(l) for l in open(src) if l.strip()]
med = statistics.median
b = [r for r in runs if r["kind"] == "bench"]
e = [r for r in runs if r["kind"] == "e2e"]
queued = [r["queued_s"] for r in b]
# Confirmed counted from the activation: queueing and delivery one after the other.
confirmed = [r["queued_s"] + r["relay_s"] for r in b]
notes = [f"run {r['run']}: only {r['on_broker']} of {r['count']} notices on the broker"
         for r in b if r["on_broker"] != r["count"] or r["failed"]]
json.dump(dict(
    section="activation", title=f"Activation notifications, {clients:,} clients",
    figures=[
        dict(id="activation.queued_s", label="notices committed to the outbox (queued)", unit="s",
             better="lower", value=med(queued), runs=queued, baseline=None,
             target=dict(op="<=", value=5, text="queued in under 5 s")),
        dict(id="activation.confirmed_s", label="all confirmed by RabbitMQ, from the activation",
             unit="s", better="lower", value=med(confirmed), runs=confirmed, baseline=None,
             target=dict(op="<=", value=30, text="all confirmed by RabbitMQ in under 30 s")),
        dict(id="activation.e2e_confirmed_s",
             label=f"irra serve: ctl activate until {e[0]['count']:,} notices confirmed",
             unit="s", better="lower", value=med(r["confirmed_s"] for r in e),
             runs=[r["confirmed_s"] for r in e], baseline=None,
             target=dict(op="<=", value=30, text="all confirmed by RabbitMQ in under 30 s"))],
    series={}, info=dict(clients=clients, runs=runs), notes=notes), open(out, "w"), indent=2)
PY
