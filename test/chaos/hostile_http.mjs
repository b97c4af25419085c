// Hostile HTTP against a running IRRA while a real investor uses it (test/chaos/hostile_http.sh).
//
//  1. Undisturbed: one logged-in investor (OTP from the file sink) polls GET /api/v1/positions
//     on a keep-alive connection, one request every 20 ms, for MEASURE_S seconds: its p99.
//  2. Attack: IDLE TLS connections that never send a byte, SLOW slow-header clients
//     (slowloris: a header line every second, never the blank line), SLOW slow-body clients
//     (Content-Length 10000, a byte a second), and 4 loops of oversized requests (a 100 KiB
//     body, a 16 KiB Cookie header) and malformed ones (a bad request line, broken JSON, a bad
//     Content-Length, a NUL in a header, a bad chunk size), about 80 a second in all, each on
//     a new TLS connection. Once they are all in place the
//     investor measures again for MEASURE_S seconds.
//  3. The oversized and malformed requests must get a 4xx (or a closed connection), never a 5xx
//     or a hang; the idle and slow connections must be closed by the server's own timeouts
//     (header 10 s from the first byte, body 30 s, idle 30 s; waited for up to 45 s); the
//     server must still answer.
// Pass: p99 under attack <= 2 x undisturbed p99 + FLOOR_MS (5 ms: on a 2-core machine a
// sub-millisecond p99 doubles from scheduler noise alone) and everything above holds.
// Prints one JSON line "hostile: {...}" and exits 0 (pass) or 1.
//
// Environment: IRRA_URL, IRRA_NOTIFY_FILE, CHAOS_DUMP, CHAOS_QUICK, HOSTILE_MEASURE_S
// (default 10; quick 5), HOSTILE_IDLE (2000; quick 500), HOSTILE_SLOW (50 of each kind),
// HOSTILE_FLOOR_MS (5), HOSTILE_UCC (default: the dump's second eligible client),
// HOSTILE_ASSERT_P99 (1 by default, 0 with CHAOS_QUICK=1: see below).

import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { Investor } from '../api/lib.mjs';
import { parseCsv } from '../api/csv.mjs';

const quick = process.env.CHAOS_QUICK === '1';
const measureS = Number(process.env.HOSTILE_MEASURE_S || (quick ? 5 : 10));
const nIdle = Number(process.env.HOSTILE_IDLE || (quick ? 500 : 2000));
const nSlow = Number(process.env.HOSTILE_SLOW || 50);
const floorMs = Number(process.env.HOSTILE_FLOOR_MS || 5);
const base = new URL(process.env.IRRA_URL);
const host = base.hostname;
const port = Number(base.port);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const log = (m) => console.log(`hostile: ${m}`);

// ---------------------------------------------------------------- the real user

let ucc = process.env.HOSTILE_UCC;
if (!ucc) {
  const clients = parseCsv(fs.readFileSync(path.join(process.env.CHAOS_DUMP, 'clients.csv'), 'utf8'))
    .filter((c) => c.eligible === 'Y')
    .sort((a, b) => (a.ucc < b.ucc ? -1 : 1));
  ucc = clients[1].ucc;
}
const user = new Investor(ucc, '127.0.2.20');
await user.login();
const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });

function userGet(p) {
  return new Promise((resolve) => {
    const t0 = now();
    const req = https.request({ host, port, path: p, method: 'GET', agent, localAddress: user.ip,
      headers: { Cookie: user.cookie }, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: now() - t0 }));
    req.end();
  });
}

async function measure(label) {
  const lat = [];
  let errors = 0;
  const until = now() + measureS * 1000;
  while (now() < until) {
    const r = await userGet('/api/v1/positions');
    if (r.status === 200) lat.push(r.ms); else errors += 1;
    await sleep(20);
  }
  lat.sort((a, b) => a - b);
  const q = (x) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(x * lat.length) - 1)] : NaN);
  const m = { n: lat.length, errors, p50: +q(0.5).toFixed(2), p99: +q(0.99).toFixed(2), max: +q(1).toFixed(2) };
  log(`${label}: ${JSON.stringify(m)}`);
  return m;
}

// ---------------------------------------------------------------- attackers

let ipn = 0;
const attackerIp = () => `127.0.3.${1 + (ipn++ % 250)}`;

// A TLS connection; resolves once the handshake is done (or failed). Records when it closes.
function connect(kind) {
  return new Promise((resolve) => {
    const c = { kind, open: false, openedAt: 0, firstByteAt: 0, closedAt: 0, sock: null, timer: null };
    const s = tls.connect({ host, port, rejectUnauthorized: false, localAddress: attackerIp() });
    c.sock = s;
    s.on('secureConnect', () => { c.open = true; c.openedAt = now(); resolve(c); });
    s.on('data', () => {});
    s.on('error', () => {});
    s.on('close', () => {
      c.closedAt = now();
      if (c.timer) clearInterval(c.timer);
      if (!c.open) resolve(c);
    });
  });
}

async function openMany(kind, n, start) {
  const out = [];
  for (let i = 0; i < n; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => connect(kind)));
    for (const c of batch) { if (c.open) start(c); out.push(c); }
  }
  return out;
}

const dribble = (c, first, each) => {
  c.firstByteAt = now();
  c.sock.write(first);
  c.timer = setInterval(() => { if (!c.closedAt) c.sock.write(each); }, 1000);
};

// One raw request on a fresh TLS connection: the status code of the answer, or 0 when the
// server closed without one; 'hang' when nothing happened within 5 s.
function raw(bytes) {
  return new Promise((resolve) => {
    const s = tls.connect({ host, port, rejectUnauthorized: false, localAddress: attackerIp() });
    let got = '';
    const done = (v) => { clearTimeout(t); s.destroy(); resolve(v); };
    const t = setTimeout(() => done('hang'), 5000);
    s.on('secureConnect', () => s.write(bytes, () => {}));
    s.on('data', (d) => {
      got += d.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      if (m) done(Number(m[1]));
    });
    s.on('error', () => {});
    s.on('close', () => done(0));
  });
}

const big = 'x'.repeat(100 * 1024);
const abuse = [
  ['oversized body', `POST /api/v1/auth/otp HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n${big}`],
  ['huge header', `GET /api/v1/positions HTTP/1.1\r\nHost: a\r\nCookie: a=${'y'.repeat(16 * 1024)}\r\n\r\n`],
  ['bad request line', 'GARBAGE / NOT-HTTP\r\n\r\n'],
  ['broken JSON', 'POST /api/v1/auth/otp HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"login":'],
  ['bad Content-Length', 'POST /api/v1/auth/otp HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n'],
  ['NUL in header', 'GET /api/v1/status HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n'],
  ['bad chunk', 'POST /api/v1/auth/otp HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
  ['wrong content type', 'POST /api/v1/auth/otp HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}'],
];
const abuseCounts = {};
const bad = [];
let abusing = true;
async function abuseLoop(offset) {
  for (let i = offset; abusing; i++) {
    const [name, bytes] = abuse[i % abuse.length];
    const r = await raw(bytes);
    const k = `${name}: ${r}`;
    abuseCounts[k] = (abuseCounts[k] || 0) + 1;
    if (r === 'hang' || (typeof r === 'number' && r !== 0 && (r < 400 || r >= 500))) {
      if (bad.length < 10) bad.push(k);
    }
    await sleep(50); // about 80 hostile requests a second in all, each on a new TLS connection
  }
}

// ---------------------------------------------------------------- the run

const undisturbed = await measure('undisturbed');

const tAttack = now();
const idle = await openMany('idle', nIdle, () => {});
const slowHeader = await openMany('slow-header', nSlow, (c) => dribble(c, 'GET /api/v1/status HTTP/1.1\r\nHost: a\r\n', 'X-Slow: 1\r\n'));
const slowBody = await openMany('slow-body', nSlow, (c) => dribble(c,
  'POST /api/v1/auth/otp HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{', ' '));
const loops = [0, 2, 4, 6].map((o) => abuseLoop(o));
const opened = (xs) => xs.filter((c) => c.open).length;
log(`attack in place after ${((now() - tAttack) / 1000).toFixed(1)} s: idle ${opened(idle)}/${nIdle}, slow-header ${opened(slowHeader)}/${nSlow}, slow-body ${opened(slowBody)}/${nSlow}`);
await sleep(500);
const attacked = await measure('under attack');
abusing = false;
await Promise.all(loops);

// The server's timeouts must close what is left (idle 30 s, header 10 s, body 30 s).
const all = [...idle, ...slowHeader, ...slowBody].filter((c) => c.open);
const waitUntil = now() + 45000;
while (now() < waitUntil && all.some((c) => !c.closedAt)) await sleep(250);
const closed = (xs) => {
  const o = xs.filter((c) => c.open);
  const life = o.filter((c) => c.closedAt).map((c) => (c.closedAt - (c.firstByteAt || c.openedAt)) / 1000);
  return { open: o.length, closed_by_server: life.length, max_life_s: life.length ? +Math.max(...life).toFixed(1) : null };
};
const closing = { idle: closed(idle), slow_header: closed(slowHeader), slow_body: closed(slowBody) };
for (const c of all) c.sock.destroy();
log(`closed by the server's timeouts: ${JSON.stringify(closing)}`);

const after = await userGet('/api/v1/status');
const limit = 2 * undisturbed.p99 + floorMs;
const problems = [];
// The latency target is judged by the full run (scripts/chaos), not by the short one inside
// scripts/test: there the attacker, the server and the rest of the test suite share two
// cores, so the figure is reported but asserts nothing (HOSTILE_ASSERT_P99=1 to force it).
const assertP99 = process.env.HOSTILE_ASSERT_P99 ? process.env.HOSTILE_ASSERT_P99 === '1' : !quick;
if (!(attacked.p99 <= limit)) {
  const msg = `p99 under attack ${attacked.p99} ms > 2 x ${undisturbed.p99} + ${floorMs} ms`;
  if (assertP99) problems.push(msg); else log(`${msg} (not asserted in the short run)`);
}
if (attacked.errors || undisturbed.errors) problems.push(`user errors: ${undisturbed.errors} undisturbed, ${attacked.errors} under attack`);
if (bad.length) problems.push(`bad answers to hostile requests: ${bad.join('; ')}`);
for (const [k, v] of Object.entries(closing)) {
  if (v.closed_by_server !== v.open) problems.push(`${k}: ${v.open - v.closed_by_server} of ${v.open} connections not closed by the server`);
}
if (opened(idle) < nIdle * 0.95) problems.push(`only ${opened(idle)} of ${nIdle} idle connections could be opened`);
if (after.status !== 200) problems.push(`GET /api/v1/status after the attack: ${after.status}`);
const summary = { pass: problems.length === 0, undisturbed, attacked, limit_ms: +limit.toFixed(2), floor_ms: floorMs,
  idle: nIdle, slow: nSlow, closing, abuse: abuseCounts, problems };
console.log(`hostile: ${JSON.stringify(summary)}`);
agent.destroy();
process.exit(problems.length ? 1 : 0);
