#!/usr/bin/env bash
# Chaos scenario: RabbitMQ goes away while the activation notices are being delivered.
#  1. frozen (kill -STOP of the broker: connections stay open, nothing answers) when IRRA is
#     activated, for FREEZE_S seconds (30; 8 with CHAOS_QUICK=1), then thawed;
#  2. stopped cleanly when IRRA is activated again (recover, then activate), for the same
#     time, then started again.
# IRRA runs with notify.sink amqp and the drop copy flowing. During each outage the outbox
# holds every notice of the activation and irra_notify_broker_connected turns 0; after it the
# outbox drains by itself (the time is measured). At the end every message of
# irra.notifications is consumed (an independent AMQP client): after de-duplication by
# event_id each eligible client of the dump has exactly one notice per activation, with its
# own mobile, email and the activation URL; none missing, none unexpected (duplicates are
# counted: at-least-once delivery allows them).
#   CHAOS_CLIENTS (20,000; 3,000 with CHAOS_QUICK=1), FREEZE_S, CHAOS_FLOW_RATE (300).
#   Needs IRRA_BUILD_DIR's test tool test/notify/irra_test_amqp_consume. See test/chaos/lib.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init rabbit_faults
chaos_use_amqp
consume=$IRRA_BUILD_DIR/test/notify/irra_test_amqp_consume
[[ -x $consume ]] || chaos_fail "not built: $consume (a build with tests)"
frozen_pid=
trap 'rc=$?; if [[ -n $frozen_pid ]]; then kill -CONT "$frozen_pid" 2>/dev/null || true; fi; _chaos_cleanup "$rc"' EXIT
freeze_s=${FREEZE_S:-30}
[[ $CHAOS_QUICK == 1 && -z ${FREEZE_S:-} ]] && freeze_s=8
clients=${CHAOS_CLIENTS:-20000}
[[ $CHAOS_QUICK == 1 && -z ${CHAOS_CLIENTS:-} ]] && clients=3000
rate=${CHAOS_FLOW_RATE:-300}
checked="the outbox holds every notice during the outage and drains by itself after it; every eligible client has exactly one notice per activation after de-duplication by event_id (an independent consumer), none missing or unexpected"

chaos_setup "$clients"
# Only the name may be quoted (and hold commas): the other fields are read from both ends.
eligible=$(awk -F, 'NR > 1 && $NF == "Y"' "$CHAOS_WORK/dump/clients.csv" | wc -l)
chaos_log "$clients clients, $eligible eligible for notices"
chaos_sim_start "$rate"
chaos_irra_start --standby
chaos_log "irra ready (standby) in $(chaos_irra_wait_ready) s"

broker_pid() { _rabbitmq_pid_of "$CHAOS_WORK/rabbitmq/rabbitmq.pid" beam; }

# One outage around an activation: KIND freeze|stop. Sets out_max (largest outbox depth seen)
# and out_drain (seconds from the broker's return to an empty outbox).
outage() {
  local kind=$1 pid t0 depth max=0 t_back deadline confirmed_before confirmed_during
  pid=$(broker_pid) || chaos_fail "RabbitMQ is not running"
  confirmed_before=$(chaos_metric irra_outbox_confirmed_total)
  if [[ $kind == freeze ]]; then
    frozen_pid=$pid
    kill -STOP "$pid"
  else
    rabbitmq_stop "$CHAOS_WORK/rabbitmq" || chaos_fail "RabbitMQ did not stop"
  fi
  chaos_log "$kind: broker ($pid) ${kind/freeze/frozen}; activating"
  if [[ $kind == stop ]]; then chaos_ctl recover --reason "chaos: rabbit $kind" > /dev/null || chaos_fail "ctl recover"; fi
  chaos_ctl activate --reason "chaos: rabbit $kind" > /dev/null || chaos_fail "ctl activate"
  t0=$(chaos_now)
  while [[ $(chaos_elapsed "$t0" | cut -d. -f1) -lt $freeze_s ]]; do
    depth=$(chaos_metric irra_outbox_depth)
    [[ -n $depth ]] || chaos_fail "$kind: /metrics does not answer during the outage"
    ((depth > max)) && max=$depth
    sleep 0.5
  done
  confirmed_during=$(($(chaos_metric irra_outbox_confirmed_total) - confirmed_before))
  ((max >= eligible)) || chaos_fail "$kind: the outbox held at most $max notices of $eligible during the outage"
  [[ $(chaos_metric irra_notify_broker_connected) == 0 ]] ||
    chaos_fail "$kind: irra_notify_broker_connected is not 0 after $freeze_s s without a broker"
  ((confirmed_during < eligible)) ||
    chaos_fail "$kind: $confirmed_during notices confirmed while the broker was down"
  chaos_log "$kind: outbox at most $max after $freeze_s s ($confirmed_during confirmed during the outage); broker back"
  t_back=$(chaos_now)
  if [[ $kind == freeze ]]; then
    kill -CONT "$pid"
    frozen_pid=
  else
    rabbitmq_start "$CHAOS_WORK/rabbitmq" "$CHAOS_AMQP_PORT" || chaos_fail "RabbitMQ did not start again"
    t_back=$(chaos_now) # counted from when the broker answers again (its start takes seconds)
  fi
  deadline=$((SECONDS + 180))
  until [[ $(chaos_metric irra_outbox_depth) == 0 && $(chaos_metric irra_notify_broker_connected) == 1 ]]; do
    ((SECONDS < deadline)) || chaos_fail "$kind: the outbox did not drain within 180 s (depth $(chaos_metric irra_outbox_depth))"
    sleep 0.2
  done
  out_drain=$(chaos_elapsed "$t_back") out_max=$max
  chaos_log "$kind: outbox drained $out_drain s after the broker answered again"
}

outage freeze
freeze_detail="outbox held all $out_max notices; drained $out_drain s after SIGCONT"
freeze_drain=$out_drain
outage stop
stop_detail="outbox held all $out_max notices; drained $out_drain s after the restarted broker answered"
stop_drain=$out_drain

chaos_log "consuming irra.notifications"
"$consume" "amqp://guest:guest@127.0.0.1:$CHAOS_AMQP_PORT/" irra.notifications 10000000 3000 \
  > "$CHAOS_WORK/consumed.tsv" 2> "$CHAOS_WORK/consume.log" || chaos_fail "consumer: $(tail -n 3 "$CHAOS_WORK/consume.log")"
verdict=$(node --input-type=module - "$CHAOS_WORK/dump/clients.csv" "$CHAOS_WORK/consumed.tsv" \
  "$CHAOS_ROOT/test/api/csv.mjs" <<'JS'
import fs from 'node:fs';
const [clientsCsv, consumed, csvLib] = process.argv.slice(2);
const { parseCsv } = await import(csvLib);
const want = new Map(); // ucc -> {mobile, email}
for (const c of parseCsv(fs.readFileSync(clientsCsv, 'utf8'))) {
  if (c.eligible === 'Y') want.set(c.ucc, { mobile: c.mobile, email: c.email });
}
const byUcc = new Map(); // ucc -> Set(event_id)
let messages = 0, bad = [];
for (const line of fs.readFileSync(consumed, 'utf8').split('\n')) {
  if (!line) continue;
  messages++;
  const tab = line.indexOf('\t');
  const id = line.slice(0, tab), m = JSON.parse(line.slice(tab + 1));
  if (m.event_id !== id) bad.push(`message_id ${id} is not its event_id ${m.event_id}`);
  if (m.type !== 'activation') { bad.push(`unexpected ${m.type}`); continue; }
  const c = want.get(m.ucc);
  if (!c) { bad.push(`notice for ${m.ucc}, not an eligible client`); continue; }
  if (m.mobile !== c.mobile || m.email !== c.email || !m.url) bad.push(`wrong contact or url for ${m.ucc}`);
  if (!byUcc.has(m.ucc)) byUcc.set(m.ucc, new Set());
  byUcc.get(m.ucc).add(id);
}
let distinct = 0, wrong = 0;
for (const ucc of want.keys()) {
  const n = (byUcc.get(ucc) || new Set()).size;
  distinct += n;
  if (n !== 2) { wrong++; if (bad.length < 5) bad.push(`${ucc}: ${n} distinct notices (2 activations)`); }
}
const dups = messages - distinct;
console.log(`${messages} messages, ${distinct} distinct for ${want.size} clients x 2 activations, ${dups} duplicates, ${wrong} clients wrong`);
if (bad.length) { console.log('FAIL ' + bad.slice(0, 5).join('; ')); process.exit(1); }
JS
) || {
  chaos_result "RabbitMQ frozen ${freeze_s} s" fail "$verdict" "" "" "$checked"
  chaos_fail "notices: $verdict"
}
chaos_log "notices: $verdict"
chaos_result "RabbitMQ frozen ${freeze_s} s" pass "$freeze_detail; $verdict" "$freeze_drain" \
  "kill -STOP of the broker at an activation of $eligible clients, for $freeze_s s, then kill -CONT" "$checked"
chaos_result "RabbitMQ stopped ${freeze_s} s" pass "$stop_detail; $verdict" "$stop_drain" \
  "clean stop of the broker, then recover and activate again, for $freeze_s s, then a start" "$checked"
chaos_flow 0
chaos_irra_stop
