#!/usr/bin/env bash
# The soak (scripts/chaos --soak MINUTES): IRRA on SQLite under a steady, realistic mixed
# load for SOAK_MINUTES (60; 1 with CHAOS_QUICK=1): SOAK_USERS readers
# (test/chaos/soak_reader.mjs: 60 logged-in investors, each with a live-update stream and 10
# requests a minute in the plan's mix), 4 traders (load.mjs: square-offs and cancels) and
# prices moving every 500 ms throughout; a main-site drop copy at CHAOS_FLOW_RATE (20
# reports/s) during the first half only. Every 10 s: resident memory, open file descriptors,
# the write backlog, the drop-copy reports applied and the readers' p50/p99 go to
# soak.tsv.
# Why two halves: the day's orders and trades stay in memory, so under a constant drop copy
# memory grows with the data at the same pace as a leak would, and the two cannot be told
# apart. The first half measures the growth per report; the second, with the same readers,
# streams, traders and prices but no new main-site data, is where memory must level off.
# The run fails when, in the second half, the median memory of its last quarter is above its
# first quarter's by more than 5% + 8 MB; when the descriptors' highest in the last quarter of
# the run is above the highest of the quarter after the warm-up (2 min) by more than 16; and
# when the readers saw errors in more than 1% of their requests. A gnuplot chart of memory and
# p99 over time goes to soak.svg (and docs/soak.svg from a run of scripts/chaos --soak). With
# CHAOS_QUICK=1 (inside scripts/test) it runs a minute and asserts nothing about growth.
# See test/chaos/lib.sh.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

chaos_init soak
minutes=${SOAK_MINUTES:-60}
[[ $CHAOS_QUICK == 1 && -z ${SOAK_MINUTES:-} ]] && minutes=1
rate=${CHAOS_FLOW_RATE:-20}
users=${SOAK_USERS:-60}
export CHAOS_WALK_MS=${CHAOS_WALK_MS:-500}
want=$((users * 4 + 4096))
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt $want ]]; then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
fi
injected="$minutes min: $users readers (a live-update stream each, 10 requests a minute: positions, orders, trades, funds, holdings), 4 traders, prices moving every ${CHAOS_WALK_MS} ms; a $rate reports/s main-site drop copy in the first half"
checked="memory levels off once no new main-site data arrives (second half: last quarter vs first quarter <= +5% + 8 MB); descriptors do not keep growing (+16 at most); readers' errors under 1%"

chaos_setup 1000
chaos_sim_start "$rate"
chaos_irra_start --active
chaos_log "irra ready in $(chaos_irra_wait_ready) s; $users readers and 4 traders for $minutes min"
CHAOS_PAUSE_MS=3000 chaos_load_start 4
IRRA_URL=$CHAOS_URL IRRA_NOTIFY_FILE=$CHAOS_WORK/notifications.jsonl CHAOS_DUMP=$CHAOS_WORK/dump \
  SOAK_USERS=$users SOAK_OUT=$CHAOS_WORK/readers.jsonl \
  node "$_chaos_here/soak_reader.mjs" > "$CHAOS_WORK/readers.log" 2>&1 &
readers=$!
chaos_track_pid "$readers"

tsv=$CHAOS_WORK/soak.tsv
printf 't_s\trss_kb\tfds\tbacklog\tp50_ms\tp99_ms\trequests\terrors\tstreams\trecords\tflow\n' > "$tsv"
t0=$SECONDS end=$((SECONDS + minutes * 60)) half=$((SECONDS + minutes * 30)) flow=$rate
while [[ $SECONDS -lt $end ]]; do
  if [[ $flow -gt 0 && $SECONDS -ge $half && $CHAOS_QUICK != 1 ]]; then
    chaos_flow 0
    flow=0
    chaos_log "second half: main-site drop copy stopped (readers, streams, traders and prices go on)"
  fi
  sleep 10
  chaos_irra_alive || chaos_fail "irra exited during the soak"
  kill -0 "$readers" 2>/dev/null || chaos_fail "the readers exited: $(tail -n 3 "$CHAOS_WORK/readers.log")"
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$CHAOS_IRRA_PID/status")
  fds=$(find "/proc/$CHAOS_IRRA_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  backlog=$(chaos_metric irra_db_write_backlog)
  records=$(curl -s --max-time 2 "http://127.0.0.1:$CHAOS_METRICS_PORT/metrics" 2>/dev/null |
    awk '$1 == "irra_feed_reports_applied_total" { n = $2 } END { print n + 0 }' || echo 0)
  last=$(tail -n 1 "$CHAOS_WORK/readers.jsonl" 2>/dev/null || echo '{}')
  read -r p50 p99 n errors streams < <(node -e '
    const l = JSON.parse(process.argv[1] || "{}");
    console.log([l.p50, l.p99, l.n, l.errors, l.streams].map((v) => (v == null ? "-" : v)).join(" "));' "$last")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $((SECONDS - t0)) "$rss" "$fds" "${backlog:-}" \
    "$p50" "$p99" "${n/-/0}" "${errors/-/0}" "${streams/-/0}" "$records" "$flow" >> "$tsv"
  if (((SECONDS - t0) % 60 < 10)); then
    chaos_log "$((SECONDS - t0)) s: rss $((rss / 1024)) MB, $fds fds, backlog ${backlog:-?}, p99 ${p99:-?} ms, $streams streams"
  fi
done
kill -TERM "$readers" 2>/dev/null || true
chaos_load_stop
chaos_irra_alive || chaos_fail "irra exited during the soak"

verdict=$(node - "$tsv" "$CHAOS_QUICK" <<'JS'
const fs = require('fs');
const [tsv, quick] = process.argv.slice(2);
const rows = fs.readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  .map(([t, rss, fds, , p50, p99, n, err, , records, flow]) =>
    ({ t: +t, rss: +rss, fds: +fds, p99: +p99 || 0, n: +n, err: +err, records: +records || 0, flow: +flow }));
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor(s.length / 2)] : 0; };
const mb = (kb) => +(kb / 1024).toFixed(1);
const requests = rows.reduce((a, r) => a + r.n, 0), errors = rows.reduce((a, r) => a + r.err, 0);
const out = { samples: rows.length, requests, errors,
  rss_mb_start: mb(rows[0]?.rss || 0), rss_mb_end: mb(rows.at(-1)?.rss || 0),
  p99_ms_median: med(rows.map((r) => r.p99)), p99_ms_worst: Math.max(0, ...rows.map((r) => r.p99)),
  fds_start: rows[0]?.fds, fds_end: rows.at(-1)?.fds, problems: [] };
const warm = rows.filter((r) => r.t > 120);
const first = rows.filter((r) => r.flow > 0 && r.t > 120), second = rows.filter((r) => r.flow === 0);
if (first.length >= 2) {
  const a = first[0], b = first.at(-1);
  const d = b.records - a.records;
  if (d > 0) out.kb_per_1000_reports_first_half = +((b.rss - a.rss) / d * 1000).toFixed(1);
}
if (quick !== '1') {
  const q = (a) => Math.max(1, Math.floor(a.length / 4));
  if (second.length >= 8) {
    const m1 = med(second.slice(0, q(second)).map((r) => r.rss)), m2 = med(second.slice(-q(second)).map((r) => r.rss));
    out.rss_mb_second_half_first_quarter = mb(m1);
    out.rss_mb_second_half_last_quarter = mb(m2);
    if (m2 > m1 * 1.05 + 8 * 1024) out.problems.push(`memory keeps growing without new data: ${mb(m1)} -> ${mb(m2)} MB`);
  } else {
    out.problems.push(`too short to judge growth: ${second.length} samples in the second half`);
  }
  if (warm.length >= 8) {
    const f1 = Math.max(...warm.slice(0, q(warm)).map((r) => r.fds)), f2 = Math.max(...warm.slice(-q(warm)).map((r) => r.fds));
    if (f2 > f1 + 16) out.problems.push(`descriptors keep growing: ${f1} -> ${f2}`);
  }
}
if (requests === 0) out.problems.push('the readers made no request');
else if (errors > requests / 100) out.problems.push(`readers' errors ${errors} of ${requests}`);
console.log(JSON.stringify(out));
JS
)
chaos_log "soak: $verdict"
if command -v gnuplot > /dev/null; then
  gnuplot <<GP 2> "$CHAOS_WORK/gnuplot.log" || chaos_log "gnuplot failed: $(head -n 2 "$CHAOS_WORK/gnuplot.log")"
set terminal svg size 900,420 dynamic font "sans,11"
set output "$CHAOS_WORK/soak.svg"
set title "IRRA soak: $minutes min, $users readers + 4 traders; $rate reports/s in the first half"
set datafile separator "\t"
set key top left
set xlabel "minutes"
set ylabel "resident memory (MB)"
set y2label "readers' p99 (ms)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid
plot "$tsv" using (\$1/60):(\$2/1024) skip 1 with lines lw 2 title "resident memory", \
     "$tsv" using (\$1/60):6 skip 1 axes x1y2 with lines title "p99 (10 s windows)"
GP
else
  chaos_log "gnuplot is not installed: no chart"
fi
detail=$(node -e '
  const v = JSON.parse(process.argv[1]);
  console.log(`${v.requests} requests, ${v.errors} errors; memory ${v.rss_mb_start} -> ${v.rss_mb_end} MB` +
    (v.kb_per_1000_reports_first_half != null ? ` (${v.kb_per_1000_reports_first_half} kB per 1,000 drop-copy reports applied in the first half)` : "") +
    (v.rss_mb_second_half_first_quarter != null ? `; without new data ${v.rss_mb_second_half_first_quarter} -> ${v.rss_mb_second_half_last_quarter} MB` : "") +
    `; descriptors ${v.fds_start} -> ${v.fds_end}; p99 median ${v.p99_ms_median} ms, worst ${v.p99_ms_worst} ms` +
    (v.problems.length ? "; " + v.problems.join("; ") : ""));' "$verdict")
chaos_irra_stop
if node -e 'process.exit(JSON.parse(process.argv[1]).problems.length ? 1 : 0)' "$verdict"; then
  chaos_result "soak ${minutes} min" pass "$detail" "" "$injected" "$checked"
else
  chaos_result "soak ${minutes} min" fail "$detail" "" "$injected" "$checked"
  chaos_fail "soak: $detail"
fi
