#!/usr/bin/env bash
# The investor web API and the investor page, end to end against the REAL server and the
# REAL exchange simulator:
#   - a generated start-of-day dump (irra-gen-dump), imported with `irra sod-import` into two
#     databases;
#   - irra-exchange-sim A (prices frozen: --walk-ms 0; no main-site flow except a short burst
#     before the tests, which leaves some main-site orders resting, and one during the stream
#     test) and `irra serve --active` on it;
#   - irra-exchange-sim B and `irra serve --standby` on it (the 503 "standby" checks);
#   - the API tests (test/api/api.test.mjs, node:test), then the browser tests
#     (test/browser/run.sh: Debian's chromium + playwright-core), then recovery.test.mjs;
#   - everything stopped by PID; both servers must stop cleanly (exit 0).
#
#   run_web_tests.sh IRRA SIM GEN_DUMP
#
# Environment:
#   IRRA_WEB_TEST_OUT=DIR     screenshots (DIR/screenshots) and, on failure, the server and
#                             simulator logs (DIR/logs); default ./web-test-output
#   IRRA_WEB_SKIP_BROWSER=1   API tests only
#   IRRA_WEB_KEEP=1           keep the temporary directory
# Ports: eight consecutive free ones in 22000-22499.
set -euo pipefail

[[ $# -eq 3 ]] || { echo "usage: $0 IRRA SIM GEN_DUMP" >&2; exit 2; }
irra=$(readlink -f "$1") sim=$(readlink -f "$2") gen=$(readlink -f "$3")
for b in "$irra" "$sim" "$gen"; do [[ -x "$b" ]] || { echo "not an executable: $b" >&2; exit 2; }; done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/lib/ports.sh
source "$repo/scripts/lib/ports.sh"
out=${IRRA_WEB_TEST_OUT:-$PWD/web-test-output}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/irra-web.XXXXXX")
started=$SECONDS

pids=()
failed=0
cleanup() {
  local p
  for p in "${pids[@]+"${pids[@]}"}"; do kill -9 "$p" 2>/dev/null || true; done
  if [[ $failed -ne 0 || -n ${IRRA_WEB_KEEP:-} ]]; then
    echo "web tests: temporary files kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

save_logs() {
  mkdir -p "$out/logs"
  cp "$work"/*.log "$work"/active/*.log "$work"/standby/*.log "$out/logs/" 2>/dev/null || true
  echo "web tests: server and simulator logs saved in $out/logs"
}
die() {
  failed=1
  echo "web tests: FAIL: $*" >&2
  for f in "$work"/active/irra.log "$work"/standby/irra.log "$work"/sim-a.log; do
    [[ -f $f ]] && { echo "--- last lines of $f" >&2; tail -n 25 "$f" >&2; }
  done
  save_logs
  exit 1
}

# ------------------------------------------------------------------ ports
base=$(free_port_block 8 22000 22499) || die "no eight free ports in 22000-22499"
fix_a=$base health_a=$((base + 1)) https_a=$((base + 2)) metrics_a=$((base + 3))
fix_b=$((base + 4)) health_b=$((base + 5)) https_b=$((base + 6)) metrics_b=$((base + 7))
otp_ttl=30

# ------------------------------------------------------------------ dump, configs, import
cd "$work"
"$gen" --out dump --clients 600 --positions-per-client 4 --holdings-per-client 2 --seed 17 > gen.log 2>&1 ||
  die "irra-gen-dump failed: $(tail -n 3 gen.log)"
# A few F&O positions above the freeze quantity, for the sliced square-off.
node "$here/amend_dump.mjs" dump > amended.jsonl || die "amend_dump.mjs failed"

write_config() { # DIR FIX_PORT HTTPS_PORT METRICS_PORT PROBES
  mkdir -p "$1"
  cat > "$1/irra.json" <<JSON
{ "log": { "level": "info" },
  "http": { "listen": "127.0.0.1:$3", "static_dir": "$repo/static" },
  "database": { "url": "sqlite3://$1/irra.db" },
  "exchange": { "host": "127.0.0.1", "port": $2, "heartbeat_s": 5,
                "reconnect_min_ms": 100, "reconnect_max_ms": 500 },
  "failover": { "probes": [$5], "interval_ms": 500, "timeout_ms": 400 },
  "notify": { "sink": "file", "file": "$1/notifications.jsonl" },
  "admin": { "socket": "$1/irra.sock", "allow_from": ["127.0.0.0/25", "::1/128"] },
  "metrics": { "listen": "127.0.0.1:$4" },
  "risk": { "otp_ttl_s": $otp_ttl } }
JSON
}
write_config "$work/active" "$fix_a" "$https_a" "$metrics_a" ""
# The standby's "main site" is simulator B's health endpoint, which stays up.
write_config "$work/standby" "$fix_b" "$https_b" "$metrics_b" "\"http://127.0.0.1:$health_b/health\""
for s in active standby; do
  "$irra" sod-import --config "$work/$s/irra.json" --dump dump > "$s/import.log" 2>&1 ||
    die "sod-import ($s) failed: $(tail -n 5 "$s/import.log")"
done

# ------------------------------------------------------------------ staff accounts
# For test/api/admin.test.mjs and test/browser/admin.test.mjs: created with `irra staff add`
# (passwords given on stdin); each TOTP secret is read from the provisioning URI it prints.
staff_json="$work/staff.json"
echo '{}' > "$staff_json"
add_staff() { # USER ROLE
  local pw="irra-test-$1-$RANDOM$RANDOM" out secret
  out=$(printf '%s\n' "$pw" | "$irra" staff add --user "$1" --role "$2" --password-stdin \
    --config "$work/active/irra.json" 2>&1) || die "irra staff add $1: $out"
  secret=$(grep -o 'secret=[A-Z2-7]*' <<< "$out" | head -n 1 | cut -d= -f2)
  [[ -n $secret ]] || die "irra staff add $1 printed no provisioning URI: $out"
  node -e 'const fs=require("fs");const [f,u,r,p,s]=process.argv.slice(1);const j=JSON.parse(fs.readFileSync(f,"utf8"));j[u]={role:r,password:p,secret:s};fs.writeFileSync(f,JSON.stringify(j,null,1))' \
    "$staff_json" "$1" "$2" "$pw" "$secret"
}
for u in viewer1 viewer2 viewer3; do add_staff "$u" viewer; done
for u in dealer1 dealer2 dealer3 locked1 gone1 gone2; do add_staff "$u" dealer; done
add_staff super1 supervisor
add_staff admin1 admin
add_staff desk supervisor
"$irra" staff disable --user gone1 --config "$work/active/irra.json" > /dev/null 2>&1 || die "irra staff disable gone1"
"$irra" staff list --config "$work/active/irra.json" > staff-list.jsonl 2>&1 || die "irra staff list"
grep -q '"password\|"secret\|argon2' staff-list.jsonl && die "irra staff list shows a secret"

# ------------------------------------------------------------------ processes
start_sim() { # NAME FIX HEALTH
  "$sim" --listen "127.0.0.1:$2" --dump dump --health-listen "127.0.0.1:$3" \
    --flow-rate 0 --walk-ms 0 --seed 23 > "$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$3/health" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "$1 did not answer /health"
}
start_sim sim-a "$fix_a" "$health_a"
start_sim sim-b "$fix_b" "$health_b"
sim_b=${pids[-1]}

# (cd && exec): $! is irra itself, so it is stopped by its own PID.
(cd "$work/active" && exec "$irra" serve --config "$work/active/irra.json" --active > irra.log 2>&1) &
irra_a=$!
pids+=("$irra_a")
(cd "$work/standby" && exec "$irra" serve --config "$work/standby/irra.json" --standby > irra.log 2>&1) &
irra_b=$!
pids+=("$irra_b")

wait_ready() { # PID URL NAME
  local code=
  for _ in $(seq 300); do
    kill -0 "$1" 2>/dev/null || die "$3 exited during start-up"
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$2/readyz" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.2
  done
  die "$3: /readyz still answers ${code:-nothing} after 60 s"
}
wait_ready "$irra_a" "https://127.0.0.1:$https_a" "irra serve --active"
wait_ready "$irra_b" "https://127.0.0.1:$https_b" "irra serve --standby"

# ------------------------------------------------------------------ a short main-site day
# Some main-site orders (a few rest all day at the band's edge) for the square-off-all test;
# then the books stay quiet until the stream test.
sim_state() { curl -sf "http://127.0.0.1:$health_a/control/state?positions=0"; }
json_get() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o==null?o:o[k],JSON.parse(s));console.log(v===undefined?"":v)})' "$1"; }
curl -sf -X POST "http://127.0.0.1:$health_a/control/flow?rate=1500&count=900" > /dev/null || die "POST /control/flow"
for _ in $(seq 200); do
  [[ $(sim_state | json_get flow.done) == true ]] && break
  sleep 0.1
done
[[ $(sim_state | json_get flow.done) == true ]] || die "the main-site flow did not finish"
caught_up=
for _ in $(seq 200); do
  mine=$("$irra" ctl status --config "$work/active/irra.json" 2>/dev/null | json_get exchange.DC.next_in_seq || true)
  theirs=$(sim_state | json_get sessions.dc.next_out_seq)
  if [[ -n $mine && $mine == "$theirs" ]]; then caught_up=1; break; fi
  sleep 0.1
done
[[ -n $caught_up ]] || die "irra did not catch up with the drop copy (at ${mine:-?}, exchange at ${theirs:-?})"

"$irra" ctl positions --config "$work/active/irra.json" > positions.jsonl || die "irra ctl positions"
"$irra" ctl orders --config "$work/active/irra.json" > orders.jsonl || die "irra ctl orders"
node "$here/pick_clients.mjs" dump positions.jsonl orders.jsonl > clients.json 2> pick.log ||
  die "choosing the test clients: $(cat pick.log)"
browser_ucc=$(json_get roles.browser.ucc < clients.json)
echo "web tests: servers ready in $((SECONDS - started)) s (active https://127.0.0.1:$https_a," \
  "standby https://127.0.0.1:$https_b); browser client $browser_ucc"
node -e 'for (const n of JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).notes) console.log("web tests: note: " + n)' clients.json

export IRRA_URL="https://127.0.0.1:$https_a"
export IRRA_STANDBY_URL="https://127.0.0.1:$https_b"
export IRRA_NOTIFY_FILE="$work/active/notifications.jsonl"
export IRRA_STANDBY_NOTIFY_FILE="$work/standby/notifications.jsonl"
export IRRA_SIM_CONTROL="http://127.0.0.1:$health_a"
export IRRA_CLIENTS_FILE="$work/clients.json"
export IRRA_BIN="$irra"
export IRRA_CONFIG="$work/active/irra.json"
export IRRA_STATIC_DIR="$repo/static"
export IRRA_DUMP_DIR="$work/dump"
export IRRA_OTP_TTL_S=$otp_ttl
export IRRA_LOG_FILE="$work/active/irra.log"
export IRRA_STAFF_FILE="$staff_json"

# ------------------------------------------------------------------ API tests
results=()
api_rc=0
echo "web tests: API tests (test/api/api.test.mjs)"
node --test --test-reporter=spec "$here/api.test.mjs" || api_rc=$?
results+=("API tests: $([[ $api_rc -eq 0 ]] && echo passed || echo "FAILED ($api_rc)")")

admin_rc=0
echo "web tests: admin terminal API tests (test/api/admin.test.mjs)"
node --test --test-reporter=spec "$here/admin.test.mjs" || admin_rc=$?
results+=("admin API tests: $([[ $admin_rc -eq 0 ]] && echo passed || echo "FAILED ($admin_rc)")")

# ------------------------------------------------------------------ browser tests
browser_rc=0
if [[ -z ${IRRA_WEB_SKIP_BROWSER:-} ]]; then
  # A copy of test/browser inside the temporary tree, so its screenshots (written to
  # <tree>/var/test/screenshots) never land in the source tree; static/ is linked.
  tree="$work/tree"
  mkdir -p "$tree/test"
  cp -r "$repo/test/browser" "$tree/test/browser"
  rm -rf "$tree/test/browser/node_modules"
  ln -s "$repo/static" "$tree/static"
  if [[ -f "$repo/test/browser/node_modules/playwright-core/package.json" ]]; then
    ln -s "$repo/test/browser/node_modules" "$tree/test/browser/node_modules"
  else
    # Installed once into the output folder (the build dir), again only when the lock changes.
    deps="$out/.browser-deps"
    if [[ ! -f "$deps/node_modules/playwright-core/package.json" ]] ||
      ! cmp -s "$deps/package-lock.json" "$repo/test/browser/package-lock.json"; then
      echo "web tests: installing playwright-core into $deps"
      rm -rf "$deps" && mkdir -p "$deps"
      cp "$repo/test/browser/package.json" "$repo/test/browser/package-lock.json" "$deps/"
      (cd "$deps" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error > /dev/null) ||
        die "npm ci of playwright-core failed"
    fi
    ln -s "$deps/node_modules" "$tree/test/browser/node_modules"
  fi
  echo "web tests: browser tests (test/browser/run.sh) as $browser_ucc"
  IRRA_UCC="$browser_ucc" bash "$tree/test/browser/run.sh" || browser_rc=$?
  # The desk's journey last: its bulk job closes every MIS position.
  echo "web tests: admin terminal in the browser (test/browser/admin.test.mjs) as staff user desk"
  desk_ucc=$(json_get roles.staff_browser.ucc < clients.json)
  IRRA_STAFF_USER=desk IRRA_STAFF_UCC="$desk_ucc" IRRA_STAFF_BULK=1 \
    IRRA_STAFF_PASSWORD=$(json_get desk.password < "$staff_json") \
    IRRA_STAFF_TOTP_SECRET=$(json_get desk.secret < "$staff_json") \
    bash "$tree/test/browser/run.sh" admin.test.mjs || browser_rc=$?
  rm -rf "$out/screenshots"
  if [[ -d "$tree/var/test/screenshots" ]]; then
    cp -r "$tree/var/test/screenshots" "$out/screenshots"
    echo "web tests: browser screenshots in $out/screenshots ($(ls "$out/screenshots" | wc -l) files)"
  fi
  results+=("browser tests: $([[ $browser_rc -eq 0 ]] && echo passed || echo "FAILED ($browser_rc)")")
fi

# ------------------------------------------------------------------ recovery (changes the mode: last)
recovery_rc=0
node --test --test-reporter=spec "$here/recovery.test.mjs" || recovery_rc=$?
results+=("recovery test: $([[ $recovery_rc -eq 0 ]] && echo passed || echo "FAILED ($recovery_rc)")")

# ------------------------------------------------------------------ /readyz follows the exchange
# Simulator B goes away: the standby's /readyz must turn 503 (drop copy not logged on) while
# /healthz stays 200.
ready_rc=0
kill -TERM "$sim_b" 2>/dev/null || true
wait "$sim_b" 2>/dev/null || true
code=
for _ in $(seq 100); do
  code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$IRRA_STANDBY_URL/readyz" || true)
  [[ $code == 503 ]] && break
  sleep 0.1
done
health=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$IRRA_STANDBY_URL/healthz" || true)
if [[ $code != 503 || $health != 200 ]]; then
  echo "web tests: FAIL: with its exchange gone, standby /readyz answered ${code:-nothing} (want 503)" \
    "and /healthz ${health:-nothing} (want 200)" >&2
  ready_rc=1
fi
results+=("readyz without the exchange: $([[ $ready_rc -eq 0 ]] && echo "503 as expected" || echo FAILED)")

# ------------------------------------------------------------------ stop, by PID
stop_rc=0
stop() { # PID NAME
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 150); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$1" 2>/dev/null; then
    echo "web tests: $2 did not stop within 15 s of SIGTERM; killed" >&2
    kill -9 "$1" 2>/dev/null || true
    stop_rc=1
  fi
  local rc=0
  wait "$1" 2>/dev/null || rc=$?
  if [[ $rc -ne 0 && $2 == irra* ]]; then
    echo "web tests: $2 exited with $rc after SIGTERM (expected 0)" >&2
    stop_rc=1
  fi
}
stop "$irra_a" "irra (active)"
stop "$irra_b" "irra (standby)"
for p in "${pids[@]}"; do
  [[ $p == "$irra_a" || $p == "$irra_b" ]] && continue
  stop "$p" "irra-exchange-sim"
done
pids=()
results+=("clean stop: $([[ $stop_rc -eq 0 ]] && echo yes || echo NO)")

echo "web tests: done in $((SECONDS - started)) s"
for r in "${results[@]}"; do echo "  $r"; done
if [[ $api_rc -ne 0 || $admin_rc -ne 0 || $browser_rc -ne 0 || $recovery_rc -ne 0 || $ready_rc -ne 0 || $stop_rc -ne 0 ]]; then
  failed=1
  save_logs
  exit 1
fi
