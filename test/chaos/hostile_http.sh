#!/usr/bin/env bash
# Chaos scenario: hostile HTTP while investors trade. IRRA (SQLite) and the simulator with a
# main-site flow and a small investor load; test/chaos/hostile_http.mjs measures a real
# investor's p99 for GET /api/v1/positions undisturbed, then again under thousands of idle TLS
# connections, slow-header and slow-body clients and a stream of oversized and malformed
# requests; passes when that p99 stays within 2x undisturbed (+5 ms floor), every hostile
# request gets a 4xx or a closed connection, the server's timeouts close the idle and slow
# connections, and irra is still running and answering afterwards. With CHAOS_QUICK=1 (inside
# scripts/test) the p99 is reported, not asserted (HOSTILE_ASSERT_P99=1 asserts it there too).
#   HOSTILE_IDLE (2000; 500 with CHAOS_QUICK=1), HOSTILE_SLOW (50), HOSTILE_MEASURE_S (10;
#   5 quick), HOSTILE_FLOOR_MS (5), CHAOS_FLOW_RATE (default 200), CHAOS_LOAD_INVESTORS
#   (default 4). See test/chaos/lib.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init hostile_http
idle=${HOSTILE_IDLE:-2000}
[[ $CHAOS_QUICK == 1 && -z ${HOSTILE_IDLE:-} ]] && idle=500
export HOSTILE_IDLE=$idle
rate=${CHAOS_FLOW_RATE:-200}
# Thousands of sockets on both ends (the server and the attacker run from this shell).
want=$((idle * 2 + 4096))
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $want ]]; then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" ||
    chaos_fail "cannot raise the open-files limit to $want (hard limit $(ulimit -Hn))"
fi
injected="$idle idle TLS connections, ${HOSTILE_SLOW:-50} slow-header and ${HOSTILE_SLOW:-50} slow-body clients, oversized (100 KiB body, 16 KiB header) and malformed requests in 4 loops, under a $rate reports/s drop copy and investor load"
checked="a real investor's p99 (GET /api/v1/positions) under attack <= 2x undisturbed + 5 ms; hostile requests get 4xx or a close, never 5xx or a hang; idle/slow connections closed by the server's timeouts; irra alive and answering"

chaos_setup 100
chaos_sim_start "$rate"
chaos_irra_start --active
chaos_log "irra ready in $(chaos_irra_wait_ready) s (open files limit $(ulimit -n))"
chaos_load_start "${CHAOS_LOAD_INVESTORS:-4}"
sleep 2

t0=$(chaos_now)
rc=0
IRRA_URL=$CHAOS_URL IRRA_NOTIFY_FILE=$CHAOS_WORK/notifications.jsonl CHAOS_DUMP=$CHAOS_WORK/dump \
  CHAOS_QUICK=$CHAOS_QUICK node "$_chaos_here/hostile_http.mjs" > "$CHAOS_WORK/hostile.log" 2>&1 || rc=$?
grep '^hostile: ' "$CHAOS_WORK/hostile.log" | grep -v '^hostile: {' || true
took=$(chaos_elapsed "$t0")
summary=$(grep '^hostile: {' "$CHAOS_WORK/hostile.log" | tail -n 1 | cut -c10-)
chaos_load_stop > /dev/null
chaos_irra_alive || chaos_fail "irra died during the attack"
code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$CHAOS_URL/readyz" || true)
[[ $code == 200 ]] || chaos_fail "irra not ready after the attack: /readyz $code"
[[ -n $summary ]] || { cat "$CHAOS_WORK/hostile.log" >&2; chaos_fail "hostile_http.mjs gave no summary (exit $rc)"; }
detail=$(node -e '
  const s = JSON.parse(process.argv[1]);
  const c = s.closing;
  console.log(`p99 ${s.undisturbed.p99} ms undisturbed, ${s.attacked.p99} ms under attack (limit ${s.limit_ms}); ` +
    `closed by timeouts: idle ${c.idle.closed_by_server}/${c.idle.open}, slow-header ${c.slow_header.closed_by_server}/${c.slow_header.open} ` +
    `(max ${c.slow_header.max_life_s} s), slow-body ${c.slow_body.closed_by_server}/${c.slow_body.open} (max ${c.slow_body.max_life_s} s)` +
    (s.problems.length ? "; " + s.problems.join("; ") : ""));' "$summary")
if [[ $rc -eq 0 ]]; then
  chaos_irra_stop
  chaos_result "hostile HTTP" pass "$detail" "" "$injected" "$checked"
else
  chaos_result "hostile HTTP" fail "$detail" "" "$injected" "$checked"
  chaos_fail "hostile HTTP: $detail"
fi
