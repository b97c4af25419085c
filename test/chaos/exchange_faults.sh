#!/usr/bin/env bash
# Chaos scenario 4: exchange faults from the simulator (/control/fix/...), on the drop copy
# (dc) and on order entry (oe), one after the other, under a main-site flow and investor
# load: a disconnect storm (10 disconnects within about 5 s), a half-open connection made
# by the exchange (it stops reading and writing; whichever side's silence timer fires first
# ends it — with the simulator's timers that is the exchange's), a half-open connection seen
# only by IRRA (test/chaos/blackhole.mjs, a relay the drop copy and order entry go through:
# the exchange side is closed, IRRA's side stays open and silent, so only IRRA's own
# Heartbeat/TestRequest detection can end it), garbage bytes, a sequence gap (skip-seq), PossDup/PossResend duplicates and a
# SequenceReset-Reset. For each: the time from the injection until the session is logged on
# again and caught up (IRRA's next_in_seq = the exchange's next_out_seq); after each fault
# (both sessions) the flow and the load pause, and chaos_check compares IRRA with the
# simulator's own record. heartbeat_s is 2 here.
#   CHAOS_FLOW_RATE (default 1000 reports/s), CHAOS_FAULTS (default all: storm half_open
#   blackhole garbage skip_seq duplicate reset), CHAOS_QUICK=1: the same faults, one check at
#   the end instead of one after each.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init exchange_faults
rate=${CHAOS_FLOW_RATE:-1000}
faults=${CHAOS_FAULTS:-storm half_open blackhole garbage skip_seq duplicate reset}
export CHAOS_HEARTBEAT_S=2
hb=$CHAOS_HEARTBEAT_S
half_open_s=$((4 * hb + 2))
# IRRA sends a TestRequest after HeartBtInt + a fixed 6 s grace of silence and gives up after
# twice that (session_state's test_request_grace; docs/fix.md, "Heartbeats"): 16 s at
# heartbeat_s 2. The relay keeps the connection silent longer, so that only IRRA ends it.
blackhole_s=$((2 * (hb + 6) + 6))
checked="session logs on again by itself and catches up; then mirror exact, no ClOrdID twice, no square-off beyond its position, every 202 durable"

# Drop copy and order entry through the relay (market data direct).
relay_port=$CHAOS_SPARE_PORT relay_control=$((CHAOS_SPARE_PORT + 1))
export CHAOS_EXCHANGE_EXTRA="\"sessions\": { \"drop_copy\": { \"port\": $relay_port }, \"order_entry\": { \"port\": $relay_port } }"
chaos_setup 300
chaos_sim_start "$rate"
node "$(dirname "$0")/blackhole.mjs" "$relay_port" "$CHAOS_FIX_PORT" "$relay_control" > "$CHAOS_WORK/relay.log" 2>&1 &
chaos_track_pid $!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$relay_control") 2>/dev/null && break; sleep 0.1; done
chaos_irra_start --active
chaos_irra_wait_ready > /dev/null
chaos_log "irra ready in $CHAOS_READY_S s; load starting"
chaos_load_start
sleep 3

session_field() { # S FIELD
  chaos_sim_field "$(chaos_sim_state)" "sessions.$1.$2"
}
# Waits until session S is caught up (after a new Logon when NEW_LOGON > 0: its `logons`
# count above LOGONS); prints the seconds since T0.
wait_recovered() { # S T0 LOGONS NEW_LOGON LIMIT
  local deadline=$((SECONDS + $5))
  while [[ $SECONDS -lt $deadline ]]; do
    if [[ $4 -eq 0 || $(session_field "$1" logons) -gt $3 ]] && chaos_session_caught_up "$1"; then
      chaos_elapsed "$2"
      return 0
    fi
    sleep 0.05
  done
  return 1
}
inject() { # S KIND QUERY -> HTTP status 2xx, else 1
  chaos_sim_try POST "/control/fix/$2?session=$1${3:+&$3}" > /dev/null
}

declare -A how=(
  [storm]="POST /control/fix/disconnect 10 times within about 5 s (TCP closed, no Logout)"
  [half_open]="POST /control/fix/half-open for ${half_open_s} s (the exchange stops reading and writing, socket open; its own silence timer may end it first); heartbeat_s $hb"
  [blackhole]="relay (blackhole.mjs) closes the exchange side and keeps IRRA's side open and silent for ${blackhole_s} s; heartbeat_s $hb (IRRA: TestRequest after heartbeat + 6 s, disconnect after twice that)"
  [garbage]="POST /control/fix/garbage: a message with a bad CheckSum and non-FIX bytes"
  [skip_seq]="POST /control/fix/skip-seq: 50 (dc) / 3 (oe) messages numbered and stored but not written"
  [duplicate]="POST /control/fix/duplicate: the last message again as PossDup (same number) and PossResend (new number)"
  [reset]="POST /control/fix/reset: SequenceReset-Reset 10 numbers ahead"
)

one_fault() { # FAULT S -> sets rec (seconds) and note
  local f=$1 s=$2 t0 logons n ok
  chaos_wait_caught_up 60 > /dev/null
  logons=$(session_field "$s" logons)
  note=
  case $f in
    storm)
      n=0
      t0=$(chaos_now)
      for _ in $(seq 50); do
        inject "$s" disconnect && n=$((n + 1))
        [[ $n -ge 10 ]] && break
        sleep 0.5
      done
      [[ $n -ge 10 ]] || note="only $n disconnects landed (the session was reconnecting)"
      t0=$(chaos_now)
      rec=$(wait_recovered "$s" "$t0" "$logons" 1 60) || return 1
      note="${note:-$n disconnects}; $(( $(session_field "$s" logons) - logons )) logons"
      ;;
    half_open)
      t0=$(chaos_now)
      inject "$s" half-open "seconds=$half_open_s" || return 1
      rec=$(wait_recovered "$s" "$t0" "$logons" 1 $((half_open_s + 30))) || return 1
      if awk -v r="$rec" -v h="$half_open_s" 'BEGIN { exit !(r < h) }'; then
        note="ended for silence, new Logon"
      else
        note="NOT ended before the exchange resumed after ${half_open_s} s"
        ok=0
      fi
      ;;
    blackhole)
      t0=$(chaos_now)
      curl -sf --max-time 5 -X POST "http://127.0.0.1:$relay_control/freeze?session=$s&seconds=$blackhole_s" > /dev/null ||
        { note="relay: no connection of $s to freeze"; return 1; }
      rec=$(wait_recovered "$s" "$t0" "$logons" 1 $((blackhole_s + 30))) || return 1
      if awk -v r="$rec" -v h="$blackhole_s" 'BEGIN { exit !(r < h) }'; then
        note="found by IRRA's TestRequest, new Logon"
      else
        note="NOT found by IRRA within ${blackhole_s} s (the relay ended it)"
        ok=0
      fi
      ;;
    garbage | duplicate | reset)
      t0=$(chaos_now)
      local q=
      [[ $f == reset ]] && q="jump=10"
      inject "$s" "$f" "$q" || { note="injection refused: $(cat "$CHAOS_WORK/.sim-answer")"; return 1; }
      sleep 0.3 # the fault must reach IRRA before catching up can be judged
      rec=$(wait_recovered "$s" "$t0" 0 0 60) || return 1
      ;;
    skip_seq)
      local count=50
      [[ $s == oe ]] && count=3
      local rr
      rr=$(session_field "$s" resend_requests_received)
      t0=$(chaos_now)
      inject "$s" skip-seq "count=$count" || return 1
      # Wait for the gap to be shown (the next message or Heartbeat) and asked for again.
      local deadline=$((SECONDS + 30))
      while [[ $(session_field "$s" resend_requests_received) -le $rr && $SECONDS -lt $deadline ]]; do sleep 0.05; done
      [[ $(session_field "$s" resend_requests_received) -gt $rr ]] || { note="no ResendRequest within 30 s"; return 1; }
      rec=$(wait_recovered "$s" "$t0" 0 0 60) || return 1
      note="ResendRequest answered"
      ;;
  esac
  [[ ${ok:-1} == 1 ]]
}

failed=0
for f in $faults; do
  recs=() details=() status=pass
  for s in dc oe; do
    rec=
    if one_fault "$f" "$s"; then
      details+=("$s ${rec}s${note:+ ($note)}")
    else
      status=fail
      details+=("$s FAILED${rec:+ after ${rec}s}${note:+ ($note)}")
    fi
    recs+=("${rec:-}")
    chaos_log "$f on $s: ${details[-1]}"
  done
  worst=$(printf '%s\n' "${recs[@]}" | awk 'NF { if ($1 > w) w = $1 } END { if (w != "") printf "%.2f", w }')
  if [[ $CHAOS_QUICK != 1 && $status == pass ]]; then
    chaos_load_pause
    chaos_settle
    if ! chaos_check > "$CHAOS_WORK/check-$f.out" 2>&1; then
      status=fail
      details+=("invariants: $(grep -m3 FAIL "$CHAOS_WORK/check.out" | tr '\n' ' ' | cut -c1-500)")
    fi
    chaos_flow "$rate"
    chaos_load_resume
  fi
  [[ $status == pass ]] || failed=1
  chaos_result "$f" "$status" "$(IFS=';'; echo "${details[*]}")" "$worst" "${how[$f]} on dc and oe, under a $rate reports/s drop copy and investor load" "$checked"
done

sleep 2
chaos_load_stop
chaos_settle
if chaos_check; then
  chaos_result "exchange faults: final check" pass "$(grep -c '^ok' "$CHAOS_WORK/check.out") invariants hold after all faults$(grep -q '^note' "$CHAOS_WORK/check.out" && echo "; $(grep -m1 '^note' "$CHAOS_WORK/check.out" | cut -c1-200)")" "" "every fault above in turn" "$checked"
else
  failed=1
  chaos_result "exchange faults: final check" fail "$(grep -m3 FAIL "$CHAOS_WORK/check.out" | tr '\n' ' ' | cut -c1-600)" "" "every fault above in turn" "$checked"
fi
[[ $failed -eq 0 ]] || chaos_fail "exchange faults: see the rows above and $CHAOS_WORK"
chaos_irra_stop
chaos_log "PASS"
