#!/usr/bin/env bash
# Failover end to end with the real irra and irra-exchange-sim (its /health is the probe's
# target; interval 200 ms, fail_threshold 3, recover_threshold 3):
#   1. `serve --standby` with failover.auto_activate false: automatic activation stays on;
#   2. main site down -> ACTIVE, timed (<= interval x fail_threshold + 1 s);
#   3. main site up -> RECOVERY; down again -> ACTIVE (both by the probe);
#   4. irra ctl: standby while ACTIVE refused (exit 1, invalid_transition), recover,
#      standby, activate while STANDBY; /api/v1/status shows the transition's time;
#   5. kill -9 and restart (no flag) come back in the same mode and since, twice;
#   6. metrics, every transition in mode_transitions, as many mode.change audit records,
#      and `irra audit verify` passes.
#   failover_test.sh IRRA SIM GEN_DUMP
# Ports: IRRA_E2E_BASE_PORT (4 ports from there) or four free ones in 20000-20999.
set -euo pipefail
# shellcheck source=../../scripts/lib/ports.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../scripts/lib/ports.sh"

irra=$1 sim=$2 gen=$3
work=$(mktemp -d)
pids=()
irra_pid=
cleanup() {
  [[ -z "$irra_pid" ]] || kill -9 "$irra_pid" 2>/dev/null || true
  for p in "${pids[@]+"${pids[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${IRRA_E2E_KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
checks=0
say() { printf '== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; tail -n 30 irra.log >&2 || true; exit 1; }
ok() { checks=$((checks + 1)); }

base=${IRRA_E2E_BASE_PORT:-$(free_port_block 4 20000 20999)} || fail "no four free ports in 20000-20999"
fix=$base health=$((base + 1)) http=$((base + 2)) metrics=$((base + 3))
interval=200 threshold=3 recover=3

cat > config.json <<JSON
{ "database": { "url": "sqlite3://$work/irra.db" },
  "admin": { "socket": "$work/irra.sock" },
  "exchange": { "host": "127.0.0.1", "port": $fix, "heartbeat_s": 5,
                "reconnect_min_ms": 100, "reconnect_max_ms": 500 },
  "http": { "listen": "127.0.0.1:$http" },
  "metrics": { "listen": "127.0.0.1:$metrics" },
  "failover": { "probes": ["http://127.0.0.1:$health/health"], "interval_ms": $interval,
                "timeout_ms": 150, "fail_threshold": $threshold,
                "recover_threshold": $recover, "auto_activate": false } }
JSON

"$gen" --out dump --clients 20 --positions-per-client 2 --seed 5 > /dev/null
"$irra" sod-import --config config.json --dump dump > /dev/null
"$sim" --listen "127.0.0.1:$fix" --dump dump --health-listen "127.0.0.1:$health" \
  --flow-rate 0 > sim.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$health/health" > /dev/null && break; sleep 0.1; done
main_site() { curl -sf -X POST "http://127.0.0.1:$health/control/main-site/$1" > /dev/null; }

serve() { # [FLAG]
  "$irra" serve --config config.json "$@" >> irra.log 2>&1 &
  irra_pid=$!
  for _ in $(seq 200); do
    "$irra" ctl status --config config.json > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "irra did not start"
}
ctl() { "$irra" ctl "$@" --config config.json; }
# A field of a JSON document (python expression on j).
field() { python3 -c "import json,sys; j=json.loads(sys.argv[1]); print($2)" "$1"; }
api_status() { curl -sk "https://127.0.0.1:$http/api/v1/status"; }
mode_now() { field "$(api_status)" 'j["mode"]' 2>/dev/null || echo "?"; }
wait_mode() { # MODE SECONDS
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ $(mode_now) == "$1" ]] && return 0
    sleep 0.05
  done
  fail "mode is $(mode_now), expected $1 within $2 s"
}
ms_now() { date +%s%3N; }

say "starting STANDBY (--standby, auto_activate false in the configuration)"
serve --standby
[[ $(mode_now) == standby ]] || fail "starts standby"; ok
grep -q "keeps automatic activation on" irra.log || fail "--standby override is logged"; ok
# Let the probe judge the main site up first.
for _ in $(seq 100); do
  [[ $(field "$(ctl status)" 'j["failover"]["main_site"]') == up ]] && break
  sleep 0.05
done
st=$(ctl status)
[[ $(field "$st" 'j["failover"]["main_site"]') == up ]] || fail "probe sees the main site up"; ok
[[ $(field "$st" 'j["failover"]["auto_activate"]') == True ]] || fail "--standby: auto on"; ok
[[ $(field "$st" 'j["failover"]["probes"][0]["last"]') == ok ]] || fail "probe view in status"; ok

say "main site down -> ACTIVE"
# Timed from just before the main site goes down to the first /api/v1/status that says
# active (curl only in the loop: a python start per poll would blur the figure).
t0=$(ms_now)
main_site down
until api_status | grep -q '"mode":"active"'; do
  (($(ms_now) - t0 < 10000)) || fail "no ACTIVE 10 s after the main site went down"
  sleep 0.01
done
took=$(($(ms_now) - t0))
limit=$((interval * threshold + 1000))
# The transition's own time (decided; durable a few ms later), from the record.
decided=$(python3 -c 'import datetime,json,sys
s=json.loads(sys.argv[1])["since"]
t=datetime.datetime.strptime(s,"%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
print(int(t.timestamp()*1000)-int(sys.argv[2]))' "$(api_status)" "$t0")
echo "main site down -> ACTIVE in $took ms as seen on /api/v1/status (decided after $decided ms;" \
  "limit $limit ms: interval ${interval} ms x threshold $threshold + 1 s)"
((took <= limit)) || fail "down -> ACTIVE took $took ms > $limit ms"; ok
st=$(ctl status)
[[ $(field "$st" 'j["failover"]["last_transition"]["trigger"]') == probe ]] || fail "trigger probe"; ok
[[ $(field "$st" 'j["failover"]["main_site"]') == down ]] || fail "main site judged down"; ok

say "main site up -> RECOVERY, down again -> ACTIVE"
main_site up
wait_mode recovery 5; ok
main_site down
wait_mode active 5; ok

say "irra ctl: refusals and forced changes"
set +e
out=$(ctl standby --reason "skip recovery" 2> err); rc=$?
set -e
[[ $rc -eq 1 ]] || fail "standby from ACTIVE exits 1 (got $rc)"; ok
[[ $(field "$out" 'j["error"]') == invalid_transition ]] || fail "standby from ACTIVE: $out"; ok
[[ $(field "$out" 'j["mode"]') == active ]] || fail "stays active: $out"; ok
grep -q "recovery first" err || fail "the message says to go through recovery"; ok
set +e
out=$(ctl activate --reason "again" 2> /dev/null); rc=$?
set -e
[[ $rc -eq 1 && $(field "$out" 'j["error"]') == already_in_mode ]] || fail "activate while active: $out"; ok

out=$(ctl recover --reason "drill: main site back, verified by phone")
[[ $(field "$out" 'j["ok"]') == True && $(field "$out" 'j["mode"]') == recovery ]] || fail "recover: $out"; ok
[[ $(field "$out" 'j["from"]') == active ]] || fail "recover from active: $out"; ok
[[ $(mode_now) == recovery ]] || fail "web shows recovery after ctl recover"; ok
out=$(ctl standby --reason "reverse migration done")
[[ $(field "$out" 'j["mode"]') == standby ]] || fail "standby: $out"; ok
out=$(ctl activate --reason "drill: forced activation")
[[ $(field "$out" 'j["ok"]') == True && $(field "$out" 'j["mode"]') == active ]] || fail "activate while standby: $out"; ok
since=$(field "$out" 'j["since"]')
[[ $(field "$(api_status)" 'j["since"]') == "$since" ]] || fail "/api/v1/status since = the transition's time"; ok

say "kill -9 and restart: same mode, same since"
kill -9 "$irra_pid"; wait "$irra_pid" 2>/dev/null || true; irra_pid=
serve
[[ $(mode_now) == active ]] || fail "restarted active"; ok
[[ $(field "$(api_status)" 'j["since"]') == "$since" ]] || fail "since survives the restart"; ok
out=$(ctl recover --reason "drill: before restart")
since=$(field "$out" 'j["since"]')
kill -9 "$irra_pid"; wait "$irra_pid" 2>/dev/null || true; irra_pid=
serve
[[ $(mode_now) == recovery ]] || fail "restarted in recovery"; ok
sleep 1  # several probe rounds of a main site still down: auto_activate is off without --standby
[[ $(mode_now) == recovery ]] || fail "stays in recovery after the restart"; ok
[[ $(field "$(api_status)" 'j["since"]') == "$since" ]] || fail "since survives the restart (recovery)"; ok

say "metrics"
m=$(curl -sf "http://127.0.0.1:$metrics/metrics")
grep -q 'irra_mode{mode="recovery"} 1' <<<"$m" || fail "irra_mode"; ok
grep -q 'irra_probe_results_total{target="http://127.0.0.1:'"$health"'/health",result="http_error"}' <<<"$m" ||
  fail "irra_probe_results_total"; ok
grep -q '^irra_probe_main_site_up ' <<<"$m" || fail "irra_probe_main_site_up"; ok
grep -q '^irra_mode_transitions_total{' <<<"$m" || fail "irra_mode_transitions_total"; ok

say "stopping; the record"
kill -TERM "$irra_pid"; wait "$irra_pid" || fail "irra did not stop cleanly"; irra_pid=
rows=$(sqlite3 irra.db "SELECT from_mode || '>' || to_mode || ':' || trigger_kind FROM mode_transitions ORDER BY id" | paste -sd' ' -)
expected="standby>active:probe active>recovery:probe recovery>active:probe active>recovery:command recovery>standby:command standby>active:command active>recovery:command"
[[ "$rows" == "$expected" ]] || fail "mode_transitions: $rows"; ok
[[ $(sqlite3 irra.db "SELECT COUNT(*) FROM mode_transitions WHERE trigger_kind = 'command' AND actor = 'admin:ctl' AND reason <> ''") -eq 4 ]] ||
  fail "commands recorded with actor and reason"; ok
[[ $(sqlite3 irra.db "SELECT COUNT(*) FROM audit_log WHERE type = 'mode.change'") -eq 7 ]] || fail "7 mode.change audit records"; ok
"$irra" audit verify --config config.json | grep -q '"ok":true' || fail "audit verify"; ok

echo "failover_test: $checks checks passed; main site down -> ACTIVE in $took ms (decided after $decided ms)"
