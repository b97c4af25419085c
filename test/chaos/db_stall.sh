#!/usr/bin/env bash
# Chaos scenario: the database goes away under load, two ways, one after the other.
#  1. frozen (kill -STOP of mariadbd, the half-dead case: connections stay open, nothing
#     answers, nothing fails) for FREEZE_S seconds (30; 8 with CHAOS_QUICK=1);
#  2. stopped cleanly (SIGTERM, the server exits) for the same time, then started again.
# IRRA runs on a private MariaDB with the drop copy flowing and investors trading. During each
# outage: /readyz turns 503 within 3 s (10 s with CHAOS_QUICK=1; measured), /metrics shows irra_db_healthy
# 0 and the write backlog (bounded by database.write_queue_limit), and a square-off answers
# 503 quickly instead of hanging. After it: everything drains by itself (backlog 0, /readyz
# 200; the time is measured), a square-off is accepted again, and chaos_check compares the
# mirror with the simulator's own record (positions, orders, trades, no ClOrdID twice).
#   FREEZE_S, CHAOS_FLOW_RATE (default 500 reports/s), CHAOS_LOAD_INVESTORS (default 12).
#   See test/chaos/lib.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init db_stall
chaos_use_mysql
# A frozen server would not stop at the cleanup's SIGTERM: thaw it first, whatever happens.
frozen_pid=
trap 'rc=$?; if [[ -n $frozen_pid ]]; then kill -CONT "$frozen_pid" 2>/dev/null || true; fi; _chaos_cleanup "$rc"' EXIT
freeze_s=${FREEZE_S:-30}
[[ $CHAOS_QUICK == 1 && -z ${FREEZE_S:-} ]] && freeze_s=8
# database.write_stall_ms is 2 s: /readyz must say 503 within 3 s (inside scripts/test, where
# the suite shares two cores, within 10 s).
ready_limit_s=3
[[ $CHAOS_QUICK == 1 ]] && ready_limit_s=10
rate=${CHAOS_FLOW_RATE:-500}
queue_limit=100000
export CHAOS_CONFIG_EXTRA=${CHAOS_CONFIG_EXTRA:-}
checked="readyz 503 within $ready_limit_s s and irra_db_healthy 0 with the backlog visible and bounded; a square-off answers 503 at once (not a hang); drains by itself (backlog 0, readyz 200); mirror exact vs the simulator"

chaos_setup 300
chaos_sim_start "$rate"
chaos_irra_start --active
chaos_log "irra ready in $(chaos_irra_wait_ready) s; load starting"
chaos_load_start
chaos_probe login > "$CHAOS_WORK/probe.log" 2>&1 || chaos_fail "probe login: $(tail -n 3 "$CHAOS_WORK/probe.log")"
sleep 3

mariadb_pid() { _mariadb_pid "$CHAOS_WORK/mariadb"; }

# One outage: KIND freeze|stop. Sets out_* for the result line; fails the scenario on a
# broken expectation.
outage() {
  local kind=$1 pid t0 code t503 healthy backlog max_backlog=0 answer status ms t_end drained
  pid=$(mariadb_pid) || chaos_fail "MariaDB is not running"
  t0=$(chaos_now)
  if [[ $kind == freeze ]]; then
    frozen_pid=$pid
    kill -STOP "$pid"
  else
    mariadb_stop "$CHAOS_WORK/mariadb" || chaos_fail "MariaDB did not stop"
  fi
  chaos_log "$kind: MariaDB ($pid) ${kind/freeze/frozen}; waiting for /readyz 503"
  t503=$(chaos_wait_not_ready "$t0" 10) ||
    chaos_fail "$kind: /readyz still $(chaos_readyz_code) 10 s after the outage began"
  awk -v t="$t503" -v l="$ready_limit_s" 'BEGIN { exit !(t <= l) }' ||
    chaos_fail "$kind: /readyz turned 503 only after $t503 s (limit $ready_limit_s s)"
  chaos_log "$kind: /readyz 503 after $t503 s: $(curl -sk --max-time 2 "$CHAOS_URL/readyz" | head -c 300)"
  healthy=$(chaos_metric irra_db_healthy)
  [[ $healthy == 0 ]] || chaos_fail "$kind: irra_db_healthy is '$healthy' during the outage"
  answer=$(chaos_probe square-off)
  read -r status ms _ <<< "$answer"
  chaos_log "$kind: square-off answered: $answer"
  [[ $status == 503 ]] || chaos_fail "$kind: a square-off during the outage answered '$answer' (503 expected)"
  ((ms < 2000)) || chaos_fail "$kind: the square-off took $ms ms to be refused"
  while [[ $(chaos_elapsed "$t0" | cut -d. -f1) -lt $freeze_s ]]; do
    backlog=$(chaos_metric irra_db_write_backlog)
    [[ -n $backlog ]] || chaos_fail "$kind: /metrics does not answer during the outage"
    ((backlog > max_backlog)) && max_backlog=$backlog
    ((backlog <= queue_limit)) || chaos_fail "$kind: backlog $backlog above the limit $queue_limit"
    code=$(chaos_readyz_code)
    [[ $code == 503 ]] || chaos_fail "$kind: /readyz $code during the outage (503 expected)"
    sleep 0.5
  done
  chaos_log "$kind: outage of ${freeze_s} s over (backlog at most $max_backlog jobs); database back"
  t_end=$(chaos_now)
  if [[ $kind == freeze ]]; then
    kill -CONT "$pid"
    frozen_pid=
  else
    mariadb_start "$CHAOS_WORK/mariadb" "$CHAOS_MYSQL_PORT" || chaos_fail "MariaDB did not start again"
  fi
  drained=$(chaos_wait_drained "$t_end" 120) ||
    chaos_fail "$kind: not drained 120 s after the database came back: $(curl -sk --max-time 2 "$CHAOS_URL/readyz")"
  chaos_log "$kind: drained and ready $drained s after the database came back"
  answer=$(chaos_probe square-off)
  read -r status _ <<< "$answer"
  [[ $status == 202 ]] || chaos_fail "$kind: a square-off after the recovery answered '$answer' (202 expected)"
  out_t503=$t503 out_drain=$drained out_backlog=$max_backlog
}

check_mirror() { # FAULT DETAIL RECOVER_S
  chaos_load_pause
  chaos_settle
  if chaos_check; then
    chaos_result "$1" pass "$2" "$3" "$4" "$checked"
  else
    chaos_result "$1" fail "$2; $(grep -m3 FAIL "$CHAOS_WORK/check.out" | tr '\n' ' ' | cut -c1-600)" "$3" "$4" "$checked"
    chaos_fail "invariants broken after '$1' ($CHAOS_WORK/check.out)"
  fi
  chaos_flow "$rate"
  chaos_load_resume
  sleep 3
}

outage freeze
check_mirror "MariaDB frozen ${freeze_s} s" \
  "readyz 503 after $out_t503 s; backlog at most $out_backlog jobs; square-off 503 at once; drained $out_drain s after SIGCONT" \
  "$out_drain" "kill -STOP of mariadbd for $freeze_s s under a $rate reports/s drop copy and investor load, then kill -CONT"

outage stop
sleep 2
chaos_load_stop
check_mirror "MariaDB stopped ${freeze_s} s" \
  "readyz 503 after $out_t503 s; backlog at most $out_backlog jobs; square-off 503 at once; drained $out_drain s after the restart" \
  "$out_drain" "clean stop (SIGTERM) of mariadbd for $freeze_s s under a $rate reports/s drop copy and investor load, then a start"
chaos_flow 0
chaos_irra_stop
