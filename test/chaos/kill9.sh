#!/usr/bin/env bash
# Chaos scenario 1: kill -9 of irra at random moments, many cycles in a row, while the drop
# copy streams at a high rate and investors square off and cancel with live streams open.
# After each restart the time to /readyz 200 is measured; at the end the flow is stopped, the
# sessions catch up and chaos_check compares IRRA with the simulator's own record.
#   CYCLES (default 5; 50 in the full run; 3 with CHAOS_QUICK=1), CHAOS_FLOW_RATE (default
#   3000 reports/s), CHAOS_LOAD_INVESTORS (default 12). See test/chaos/lib.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init kill9
cycles=${CYCLES:-5}
[[ $CHAOS_QUICK == 1 && -z ${CYCLES:-} ]] && cycles=3
rate=${CHAOS_FLOW_RATE:-3000}
injected="kill -9 of irra at random moments (0.5-3 s apart), $cycles cycles, under a $rate reports/s drop copy and investor load"
checked="mirror exact (positions, orders, trades vs the simulator's state and journal), no ClOrdID twice, no square-off beyond its position, every 202 durable"

chaos_setup 300
chaos_sim_start "$rate"
chaos_irra_start --active
chaos_irra_wait_ready > /dev/null
chaos_log "irra ready in $CHAOS_READY_S s; load starting"
chaos_load_start
sleep 2

readies=()
for c in $(seq "$cycles"); do
  # A random moment 0.5-3 s into the run.
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.5 + 2.5 * r / 32767 }')"
  chaos_irra_kill9
  chaos_irra_start
  chaos_irra_wait_ready 90 > /dev/null
  readies+=("$CHAOS_READY_S")
  chaos_log "cycle $c/$cycles: killed, ready again in ${readies[-1]} s"
done
sleep 2
chaos_load_stop
chaos_settle
stats=$(printf '%s\n' "${readies[@]}" | sort -n | awk '{ a[NR] = $1; s += $1 } END {
  printf "%.2f %.2f %.2f %.2f", s / NR, a[int((NR + 1) / 2)], a[int(NR * 0.95 + 0.999)], a[NR] }')
read -r mean median p95 worst <<< "$stats"
chaos_log "time to ready after kill -9: mean $mean s, median $median s, p95 $p95 s, worst $worst s"
state=$(chaos_sim_state)
detail="$cycles kill -9 cycles; ready again in median $median s (p95 $p95, worst $worst); $(chaos_sim_field "$state" exec_ids) drop-copy reports, $(chaos_sim_field "$state" orders_received) IRRA orders"
if chaos_check; then
  chaos_irra_stop
  chaos_result "kill -9 x$cycles" pass "$detail" "$worst" "$injected" "$checked"
else
  chaos_result "kill -9 x$cycles" fail "$detail; $(grep -m3 FAIL "$CHAOS_WORK/check.out" | tr '\n' ' ' | cut -c1-600)" "$worst" "$injected" "$checked"
  chaos_fail "invariants broken (above; $CHAOS_WORK/check.out)"
fi
