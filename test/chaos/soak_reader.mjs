// The soak's readers (test/chaos/soak.sh): SOAK_USERS investors, each from its own loopback
// address, logged in with a real OTP (read from the file sink), a live-update stream kept
// open, and 10 requests a minute in the original plan's mix (positions 40%, orders 25%,
// trades 15%, funds 15%, holdings 5%), on a keep-alive connection each. A session that ends
// (401) logs in again. Every 10 s one JSON line is appended to SOAK_OUT:
//   {"t": seconds since start, "n": answers, "errors": non-2xx or failed, "p50", "p99", "max"
//    (ms), "streams": streams open}
// SIGTERM ends it.
// Environment: IRRA_URL, IRRA_NOTIFY_FILE, CHAOS_DUMP, SOAK_USERS (default 60), SOAK_OUT.

import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Investor, openStream, sleep } from '../api/lib.mjs';
import { parseCsv } from '../api/csv.mjs';

const nUsers = Number(process.env.SOAK_USERS || 60);
const outFile = process.env.SOAK_OUT;
const base = new URL(process.env.IRRA_URL);
const mix = [['positions', 40], ['orders', 25], ['trades', 15], ['funds', 15], ['holdings', 5]];
const pick = () => {
  let x = Math.random() * 100;
  for (const [p, w] of mix) { if ((x -= w) < 0) return p; }
  return mix[0][0];
};
let stopping = false;
process.on('SIGTERM', () => { stopping = true; });

// The last eligible clients: the chaos load generator takes its investors from the front.
const clients = parseCsv(fs.readFileSync(path.join(process.env.CHAOS_DUMP, 'clients.csv'), 'utf8'))
  .filter((c) => c.eligible === 'Y')
  .sort((a, b) => (a.ucc < b.ucc ? -1 : 1))
  .slice(-nUsers);

let window = [], errors = 0, streams = 0;
const open = new Set(); // streams open now
const t0 = performance.now();

function timedGet(inv, agent, p) {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = https.request({ host: base.hostname, port: base.port, path: `/api/v1/${p}`, method: 'GET',
      agent, localAddress: inv.ip, rejectUnauthorized: false, timeout: 10000,
      headers: { Cookie: inv.cookie } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t }));
    req.end();
  });
}

async function login(inv) {
  while (!stopping) {
    try {
      await inv.login();
      return true;
    } catch {
      await sleep(2000 + Math.random() * 2000);
    }
  }
  return false;
}

async function keepStream(inv) {
  while (!stopping) {
    if (!inv.cookie) { await sleep(500); continue; }
    let s;
    try { s = await openStream({ cookie: inv.cookie, ip: inv.ip }); } catch { await sleep(1000); continue; }
    if (s.status !== 200) { s.close(); await sleep(1000); continue; }
    streams++;
    inv.stream = s;
    open.add(s);
    await Promise.race([s.ended, new Promise((r) => { inv.closeStream = r; })]);
    streams--;
    open.delete(s);
    s.close();
    inv.stream = null;
    if (!stopping) await sleep(500);
  }
}

async function user(c, i) {
  await sleep((i * 6000) / nUsers); // spread over the first request interval
  const inv = new Investor(c.ucc);
  if (!(await login(inv))) return;
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const streaming = keepStream(inv);
  while (!stopping) {
    await sleep(3000 + Math.random() * 6000); // 10 a minute on average
    if (stopping) break;
    const r = await timedGet(inv, agent, pick());
    if (r.status === 401) { inv.cookie = null; if (inv.stream) inv.stream.close(); await login(inv); continue; }
    window.push(r.ms);
    if (r.status !== 200) errors++;
  }
  if (inv.stream) inv.stream.close();
  if (inv.closeStream) inv.closeStream();
  agent.destroy();
  await streaming.catch(() => {});
}

const pct = (s, p) => (s.length ? +s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))].toFixed(2) : null);
const timer = setInterval(() => {
  const s = window.sort((a, b) => a - b);
  const line = { t: Math.round((performance.now() - t0) / 1000), n: s.length, errors,
    p50: pct(s, 50), p99: pct(s, 99), max: s.length ? +s[s.length - 1].toFixed(2) : null, streams };
  fs.appendFileSync(outFile, JSON.stringify(line) + '\n');
  window = [];
  errors = 0;
  // What the streams received is not kept: over an hour it would be the readers' own leak.
  for (const st of open) { st.events.length = 0; st.text = ''; st.comments.length = 0; }
}, 10000);

await Promise.all(clients.map((c, i) => user(c, i)));
clearInterval(timer);
process.exit(0);
