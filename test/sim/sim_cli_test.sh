#!/usr/bin/env bash
# irra-exchange-sim as a user runs it: usage errors exit 2 with one line naming the flag,
# a broken dump exits 2, a good one serves /health until SIGTERM, which exits 0.
set -euo pipefail
# shellcheck source=../../scripts/lib/ports.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../scripts/lib/ports.sh"
SIM=$1
WORK=$(mktemp -d)
PID=
cleanup() {
  if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

expect_usage() {  # expect_usage FLAG ARGS...
  local flag=$1; shift
  local rc=0
  "$SIM" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc == 2 ]] || fail "$* exited $rc, expected 2"
  [[ $(wc -l <"$WORK/err") == 1 ]] || fail "$*: expected one line, got: $(cat "$WORK/err")"
  grep -q -- "$flag" "$WORK/err" || fail "$*: message does not name $flag: $(cat "$WORK/err")"
}

echo "usage errors"
expect_usage --dump --listen 127.0.0.1:9878
expect_usage --flow-rate --dump "$WORK" --flow-rate abc
expect_usage --listen --dump "$WORK" --listen 127.0.0.1
expect_usage --listen --dump "$WORK" --listen somehost:9878
expect_usage --bogus --dump "$WORK" --bogus
expect_usage --dump --dump "$WORK/missing"
"$SIM" --help | grep -q -- --health-listen || fail "--help"

echo "a good dump: /health, main site down and up, SIGTERM"
DUMP=$WORK/dump
mkdir -p "$DUMP"
printf 'ucc,pan,name,mobile,email,eligible\nC1,ABCDE1234F,A,9876543210,a@example.com,Y\n' >"$DUMP/clients.csv"
printf 'instrument_id,exchange,segment,symbol,lot_size,tick_size,freeze_qty,lower_band,upper_band,prev_close\nNSE:INFY,NSE,EQ,INFY,1,0.05,50000,1700,2100,1900.10\n' >"$DUMP/instruments.csv"
printf 'ucc,instrument_id,product,net_qty,avg_price\n' >"$DUMP/positions.csv"
printf 'ucc,instrument_id,qty,avg_price\n' >"$DUMP/holdings.csv"
printf 'ucc,opening_balance,margin_used,collateral\nC1,0,0,0\n' >"$DUMP/funds.csv"
entries=()
for f in clients instruments positions holdings funds; do
  rows=$(( $(wc -l <"$DUMP/$f.csv") - 1 ))
  sha=$(sha256sum "$DUMP/$f.csv" | cut -d' ' -f1)
  entries+=("\"$f.csv\": {\"rows\": $rows, \"sha256\": \"$sha\"}")
done
( IFS=,; echo "{\"trading_date\": \"2024-12-02\", \"generated_at\": \"2024-12-01T18:30:00Z\", \"files\": {${entries[*]}}}" ) >"$DUMP/manifest.json"

FIX_PORT=$(free_port_block 2 23000 23999) || fail "no two free ports in 23000-23999"
HTTP_PORT=$((FIX_PORT + 1))
"$SIM" --listen "127.0.0.1:$FIX_PORT" --dump "$DUMP" --health-listen "127.0.0.1:$HTTP_PORT" \
  --flow-rate 10 --seed 3 2>"$WORK/log" &
PID=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/health" && break
  sleep 0.1
done
code() { curl -s -o /dev/null -w '%{http_code}' -X "$1" "http://127.0.0.1:$HTTP_PORT$2"; }
[[ $(code GET /health) == 200 ]] || fail "health not 200"
[[ $(code POST /control/main-site/down) == 200 ]] || fail "down"
[[ $(code GET /health) == 503 ]] || fail "health not 503 while down"
[[ $(code POST /control/main-site/up) == 200 ]] || fail "up"
[[ $(code GET /health) == 200 ]] || fail "health not 200 after up"

echo "a second simulator on the same port fails with exit 1 naming --listen"
rc=0
"$SIM" --listen "127.0.0.1:$FIX_PORT" --dump "$DUMP" --health-listen 127.0.0.1:0 2>"$WORK/err2" || rc=$?
[[ $rc == 1 ]] || fail "busy port exited $rc"
grep -q -- --listen "$WORK/err2" || fail "busy port message: $(cat "$WORK/err2")"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[[ $rc == 0 ]] || fail "SIGTERM exit code $rc"
echo "ok"
