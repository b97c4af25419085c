#!/usr/bin/env bash
# Section "fix": the FIX parser alone (framing with CheckSum, field parsing and
# ExecutionReport decoding), on one core (quality.md: 2,000,000 messages/s).
set -euo pipefail
# shellcheck source=../lib.sh
source "$IRRA_BENCH_ROOT/test/bench/lib.sh"

bench=$IRRA_BENCH_BUILD/test/bench/irra_fix_bench
[[ -x "$bench" ]] || bench_die "$bench is missing (built when Google Benchmark is installed)"
case $IRRA_BENCH_MODE in
  full) reps=7 min_time=1 ;;
  quick) reps=3 min_time=0.5 ;;
  *) reps=1 min_time=0.01 ;;
esac
# One core: the last one, away from the first where interrupts land by default.
core=$(($(nproc) - 1))
bench_say "irra_fix_bench on core $core, $reps repetitions of ${min_time} s"
taskset -c "$core" "$bench" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_format=json --benchmark_out="$IRRA_BENCH_WORK/fix.json" \
  --benchmark_out_format=json > /dev/null 2> "$IRRA_BENCH_WORK/stderr.log" ||
  { cat "$IRRA_BENCH_WORK/stderr.log" >&2; bench_die "irra_fix_bench failed"; }

python3 - "$IRRA_BENCH_WORK/fix.json" "$IRRA_BENCH_OUT" "$core" << 'PY'
import json, statistics, sys
src, out, core = sys.argv[1:]
d = json.load(open(src))
def runs(name, key="items_per_second"):
    return [b[key] for b in d["benchmarks"]
            if b.get("run_type", "iteration") == "iteration" and b["run_name"] == name]
parse = runs("bm_frame_parse_execution_report")
frame = runs("bm_frame")
write = runs("bm_write_new_order_single")
med = statistics.median
json.dump(dict(
    section="fix", title="FIX codec (one core)",
    figures=[
        dict(id="fix.parse_execution_report", label="parser alone: frame + parse + decode ExecutionReport",
             unit="msg/s", better="higher", value=med(parse), runs=parse, baseline=None,
             target=dict(op=">=", value=2_000_000, text="2,000,000 messages/s on one core")),
        dict(id="fix.frame", label="framing with CheckSum only", unit="msg/s", better="higher",
             value=med(frame), runs=frame, baseline=None, target=None),
        dict(id="fix.write_new_order_single", label="writing a NewOrderSingle", unit="msg/s",
             better="higher", value=med(write), runs=write, baseline=None, target=None)],
    series={}, info=dict(core=int(core), context=d.get("context", {})),
    notes=[]), open(out, "w"), indent=2)
PY
