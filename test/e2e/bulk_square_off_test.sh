#!/usr/bin/env bash
# The broker's bulk MIS square-off end to end, with the real irra and irra-exchange-sim:
#   1. `serve --active` with exchange.order_rate_limit 20 on a generated dump;
#   2. `irra ctl bulk-square-off --product MIS` starts the job; once a third of it is sent,
#      irra is killed with -9 and started again; the job carries on by itself to "done";
#   3. checked against the simulator's own journal and state, not IRRA's opinion of itself:
#      no ClOrdID received twice, no (client, instrument) squared off beyond its position,
#      every MIS position flat, every other position untouched, and no 1-second window
#      with more than 20 orders and cancels (by the messages' SendingTime);
#   4. the job's counts add up, and `irra audit verify` passes.
#   bulk_square_off_test.sh IRRA SIM GEN_DUMP
# Ports: IRRA_E2E_BASE_PORT (4 ports from there) or four free ones in 21000-21999.
# For a measurement at scale: IRRA_BULK_CLIENTS (150; 3 positions each, about 28% MIS),
# IRRA_BULK_LIMIT (20 orders/s) and IRRA_BULK_KILL=0 (no kill -9), e.g. 10,000 MIS positions
# at 100/s: IRRA_BULK_CLIENTS=12000 IRRA_BULK_LIMIT=100 IRRA_BULK_KILL=0.
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
say() { printf '== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; tail -n 30 irra.log >&2 || true; exit 1; }

base=${IRRA_E2E_BASE_PORT:-$(free_port_block 4 21000 21999)} || fail "no four free ports in 21000-21999"
fix=$base health=$((base + 1)) http=$((base + 2)) metrics=$((base + 3))
limit=${IRRA_BULK_LIMIT:-20}
n_clients=${IRRA_BULK_CLIENTS:-150}

cat > config.json <<JSON
{ "database": { "url": "sqlite3://$work/irra.db" },
  "admin": { "socket": "$work/irra.sock" },
  "exchange": { "host": "127.0.0.1", "port": $fix, "heartbeat_s": 5, "order_rate_limit": $limit,
                "reconnect_min_ms": 100, "reconnect_max_ms": 500 },
  "http": { "listen": "127.0.0.1:$http" },
  "metrics": { "listen": "127.0.0.1:$metrics" },
  "notify": { "sink": "file", "file": "$work/notifications.jsonl" } }
JSON

"$gen" --out dump --clients "$n_clients" --positions-per-client 3 --seed 41 > /dev/null
"$irra" sod-import --config config.json --dump dump > /dev/null
"$sim" --listen "127.0.0.1:$fix" --dump dump --health-listen "127.0.0.1:$health" \
  --flow-rate 0 --walk-ms 0 --journal "$work/sim-journal.jsonl" > sim.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$health/health" > /dev/null && break; sleep 0.1; done

serve() {
  "$irra" serve --config config.json "$@" >> irra.log 2>&1 &
  irra_pid=$!
  for _ in $(seq 300); do
    kill -0 "$irra_pid" 2>/dev/null || fail "irra exited during start-up"
    [[ $(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "https://127.0.0.1:$http/readyz" || true) == 200 ]] && return 0
    sleep 0.2
  done
  fail "irra not ready after 60 s"
}
ctl() { "$irra" ctl "$@" --config config.json; }
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o==null?o:o[k],JSON.parse(s.trim().split("\n")[0]));console.log(v===undefined?"":v)})' "$1"; }

serve --active
curl -sf "http://127.0.0.1:$health/control/state" > state-before.json
ctl positions > positions-before.jsonl
mis=$(grep -c '"product":"MIS"' positions-before.jsonl || true)
say "positions before: $(wc -l < positions-before.jsonl), of them MIS: $mis"
[[ $mis -ge 40 ]] || fail "the dump has too few MIS positions ($mis)"

job=$(ctl bulk-square-off --product MIS --reason "e2e: broker's intraday square-off" \
  --evidence-ref "CIRCULAR-E2E") || fail "bulk-square-off refused: $job"
job_id=$(field job_id <<< "$job")
total=$(field total <<< "$job")
[[ -n $job_id && $total -eq $mis ]] || fail "job $job_id total $total, want $mis"
say "job $job_id: $total positions at $limit orders/s"
job_started=$(date +%s.%N)

# Second job while one runs: refused.
if ctl bulk-square-off --product MIS --reason "again" > second.json 2> second.err; then
  fail "a second job started while one runs"
fi
grep -q job_running second.err || fail "second job: $(cat second.err)"

if [[ ${IRRA_BULK_KILL:-1} != 0 ]]; then
  for _ in $(seq 300); do
    sent=$(ctl job "$job_id" | field sent)
    [[ $sent -ge $((total / 3)) ]] && break
    sleep 0.1
  done
  [[ $sent -ge $((total / 3)) ]] || fail "the job did not get a third of the way (sent $sent)"
  kill -9 "$irra_pid"
  wait "$irra_pid" 2>/dev/null || true
  say "killed irra with -9 at sent=$sent of $total; starting it again"
  serve
fi

deadline=$((SECONDS + 60 + 2 * total / limit))
state=
while [[ $SECONDS -lt $deadline ]]; do
  ctl job "$job_id" > job.json || true
  state=$(field state < job.json)
  [[ $state == done ]] && break
  sleep 0.5
done
[[ $state == done ]] || fail "job not done: $(cat job.json)"
say "job done after $(node -e 'console.log((Date.now()/1000 - Number(process.argv[1])).toFixed(1))' "$job_started") s: $(cat job.json)"
ctl positions > positions-after.jsonl
curl -sf "http://127.0.0.1:$health/control/state" > state-after.json

node - "$work" "$limit" <<'NODE' || fail "the simulator's record disagrees (above)"
const fs = require('fs');
const [work, limit] = [process.argv[2], Number(process.argv[3])];
const lines = (f) => fs.readFileSync(`${work}/${f}`, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const journal = lines('sim-journal.jsonl');
const job = JSON.parse(fs.readFileSync(`${work}/job.json`, 'utf8').trim().split('\n')[0]);
const problems = [];
const tag = (m, t) => { const f = m.fields.find(([k]) => k === t); return f ? f[1] : undefined; };
const received = journal.filter((m) => m.dir === 'received' && m.session === 'oe' && (m.msg_type === 'D' || m.msg_type === 'F'));
const originals = received.filter((m) => tag(m, 43) !== 'Y');
const orders = originals.filter((m) => m.msg_type === 'D');
// 1. No ClOrdID twice.
const seen = new Map();
for (const m of orders) {
  const id = tag(m, 11);
  seen.set(id, (seen.get(id) || 0) + 1);
}
const dups = [...seen].filter(([, n]) => n > 1);
if (dups.length) problems.push(`ClOrdIDs received more than once: ${dups.slice(0, 5).map(([k, n]) => `${k} x${n}`).join(', ')}`);
// 2. Never beyond the position: per (account, instrument), the quantity sent <= |net| before.
const before = new Map();
for (const p of lines('positions-before.jsonl')) before.set(`${p.ucc}|${p.instrument}|${p.product}`, p.net_qty);
const sentQty = new Map();
for (const m of orders) {
  const key = `${tag(m, 1)}|${tag(m, 207)}:${tag(m, 55)}|${tag(m, 5001)}`;
  sentQty.set(key, (sentQty.get(key) || 0) + Number(tag(m, 38)));
}
for (const [key, q] of sentQty) {
  const had = Math.abs(before.get(key) || 0);
  if (q > had) problems.push(`${key}: ${q} sent, the position was ${had}`);
}
// 3. Every MIS position flat, every other one untouched (IRRA's mirror and the exchange's).
const after = new Map();
for (const p of lines('positions-after.jsonl')) after.set(`${p.ucc}|${p.instrument}|${p.product}`, p.net_qty);
for (const [k, v] of before) {
  const now = after.get(k) || 0;
  if (k.endsWith('|MIS') ? now !== 0 : now !== v) problems.push(`${k}: ${v} before, ${now} after`);
}
for (const [k, v] of after) if (!before.has(k) && v !== 0) problems.push(`${k}: new position ${v}`);
const simAfter = JSON.parse(fs.readFileSync(`${work}/state-after.json`, 'utf8'));
if (simAfter.duplicate_cl_ord_ids) problems.push(`simulator counted ${simAfter.duplicate_cl_ord_ids} duplicate ClOrdIDs`);
const simPos = new Map((simAfter.positions || []).map((p) => [`${p.account}|${p.instrument}|${p.product}`, p.net_qty]));
for (const [k, v] of after) if ((simPos.get(k) || 0) !== v) problems.push(`${k}: irra ${v}, exchange ${simPos.get(k) || 0}`);
// 4. The pace: at most `limit` orders and cancels in any 1-second window (SendingTime, ms).
const ts = (s) => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(12, 14), +s.slice(15, 17), +(s.slice(18, 21) || 0));
const times = originals.map((m) => ts(tag(m, 52))).sort((a, b) => a - b);
let worst = 0;
for (let i = 0, j = 0; i < times.length; i++) {
  while (times[i] - times[j] >= 1000) j++;
  worst = Math.max(worst, i - j + 1);
}
if (worst > limit) problems.push(`${worst} messages within one second (limit ${limit})`);
const span = (times[times.length - 1] - times[0]) / 1000;
console.log(`== exchange received ${orders.length} orders and ${originals.length - orders.length} cancels` +
  ` over ${span.toFixed(1)} s: ${(originals.length / span).toFixed(1)}/s on average, at most ${worst} in any second (limit ${limit})`);
// 5. The job's counts.
if (job.total !== job.filled + job.rejected) problems.push(`job counts: total ${job.total}, filled ${job.filled}, rejected ${job.rejected}`);
if (job.rejected !== 0) problems.push(`job: ${job.rejected} rejected`);
if (problems.length) {
  for (const p of problems.slice(0, 30)) console.error(`FAIL: ${p}`);
  process.exit(1);
}
console.log(`== no ClOrdID twice; ${before.size} positions checked against the mirror and the exchange`);
NODE

ctl job | grep -q "$job_id" || fail "irra ctl job does not list $job_id"
"$irra" audit verify --config config.json > verify.json || fail "audit verify: $(cat verify.json)"
grep -q ',host.bulk_square_off,' <("$irra" audit export --from 2000 --to 3000 --out - --config config.json) ||
  fail "the bulk square-off is not in the audit trail"
kill -TERM "$irra_pid"
wait "$irra_pid" || fail "irra did not stop cleanly"
irra_pid=
say "PASS: bulk square-off paced$([[ ${IRRA_BULK_KILL:-1} != 0 ]] && echo ", resumed after kill -9"), nothing doubled"
