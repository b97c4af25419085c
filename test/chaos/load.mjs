// The chaos harness's investor load (test/chaos/lib.sh: chaos_load_start / chaos_load_stop).
// N investors, each from its own loopback address: a real OTP login (the code read from the
// file sink's notifications), a live-update stream (SSE) kept open, and a loop of actions on
// its own books — a MARKET square-off of one lot, a resting LIMIT square-off of one lot, a
// cancel of one of its open orders — each square-off with an Idempotency-Key that is sent
// again (same key, same body) when the answer was lost to a fault. Every 202 answer is
// appended to CHAOS_ACCEPTED (one JSON line: ucc, kind, key, order ids) for the durability
// check. Errors during faults (connection refused or reset, timeouts, 503, 401 after a
// restart) are counted and ridden out. SIGTERM ends it: it prints one line
// "load: {counts}" and exits 0.
//
// Environment: IRRA_URL, IRRA_NOTIFY_FILE, CHAOS_DUMP (the dump folder: clients.csv),
// CHAOS_ACCEPTED (file), CHAOS_INVESTORS (default 12), CHAOS_SEED,
// CHAOS_PAUSE_MS (mean pause between one investor's actions, default 400).

import fs from 'node:fs';
import path from 'node:path';
import { request, notifyOffset, notifyLinesSince, openStream, SESSION_COOKIE, setCookies, restingPrice, lotOf, exitSide } from '../api/lib.mjs';
import { parseCsv } from '../api/csv.mjs';

const dump = process.env.CHAOS_DUMP;
const acceptedFile = process.env.CHAOS_ACCEPTED;
const nInvestors = Number(process.env.CHAOS_INVESTORS || 12);
const pauseMs = Number(process.env.CHAOS_PAUSE_MS || 400);
let seed = Number(process.env.CHAOS_SEED || 1) * 7919 + 17;
const rnd = () => {
  // mulberry32: reproducible choices for a seed (the timing still varies)
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const counts = {
  logins: 0, login_failures: 0, requests: 0, conn_errors: 0, status: {}, accepted_square_offs: 0,
  accepted_cancels: 0, idempotent_retries: 0, streams_opened: 0, stream_events: 0, refused: {},
};
const bump = (o, k) => { o[k] = (o[k] || 0) + 1; };
let stopping = false;
const accepted = fs.openSync(acceptedFile, 'a');
const record = (o) => fs.writeSync(accepted, JSON.stringify({ ...o, at: new Date().toISOString() }) + '\n');

async function call(inv, method, p, json, headers = {}) {
  counts.requests += 1;
  try {
    const r = await request(method, p, {
      json, headers, cookie: inv.cookie || undefined, csrf: method === 'POST' ? inv.csrf || undefined : undefined,
      ip: inv.ip, timeoutMs: 8000,
    });
    bump(counts.status, r.status);
    if (r.status === 401 && inv.cookie) inv.cookie = null; // a session lost: log in again
    return r;
  } catch (e) {
    counts.conn_errors += 1;
    return { status: 0, error: String(e.message || e) };
  }
}

async function waitOtp(ucc, offset, ms = 8000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !stopping) {
    const mine = notifyLinesSince(offset).filter((m) => m.type === 'otp' && String(m.ucc) === ucc);
    if (mine.length) return String(mine[mine.length - 1].otp);
    await sleep(50);
  }
  return null;
}

async function login(inv) {
  while (!stopping) {
    const offset = notifyOffset();
    const r = await call(inv, 'POST', '/api/v1/auth/otp', { login: inv.ucc });
    if (r.status === 202) {
      const otp = await waitOtp(inv.ucc, offset);
      if (otp) {
        const l = await call(inv, 'POST', '/api/v1/auth/login', { challenge_id: r.json.challenge_id, otp });
        if (l.status === 200) {
          const c = setCookies(l).find((x) => x.name === SESSION_COOKIE);
          inv.cookie = `${SESSION_COOKIE}=${c.value}`;
          inv.csrf = l.json.csrf_token;
          counts.logins += 1;
          return true;
        }
      }
    }
    counts.login_failures += 1;
    await sleep(r.status === 429 ? 3000 : 300);
  }
  return false;
}

async function keepStream(inv) {
  while (!stopping) {
    if (!inv.cookie) { await sleep(200); continue; }
    let s;
    try {
      s = await openStream({ cookie: inv.cookie, ip: inv.ip });
    } catch {
      await sleep(500);
      continue;
    }
    if (s.status !== 200) { s.close(); await sleep(500); continue; }
    counts.streams_opened += 1;
    inv.stream = s;
    const seen = s.events.length;
    await s.ended;
    counts.stream_events += s.events.length - seen;
    inv.stream = null;
    await sleep(200);
  }
}

// A square-off whose answer may be lost: the same key and body again until a real answer.
async function squareOff(inv, body, kind) {
  const key = `chaos-${inv.ucc}-${++inv.n}`;
  for (let attempt = 0; !stopping && attempt < 60; attempt++) {
    if (attempt) counts.idempotent_retries += 1;
    if (!inv.cookie && !(await login(inv))) return;
    const r = await call(inv, 'POST', '/api/v1/positions/square-off', body, { 'Idempotency-Key': key });
    if (r.status === 202) {
      counts.accepted_square_offs += 1;
      record({ ucc: inv.ucc, kind, key, order_ids: (r.json.orders || []).map((o) => o.order_id) });
      return;
    }
    if (r.status === 0 || r.status === 503 || r.status === 401 || r.status === 502) { await sleep(300); continue; }
    bump(counts.refused, `${r.status} ${(r.json && r.json.error) || ''}`.trim());
    return;
  }
}

async function act(inv) {
  const pr = await call(inv, 'GET', '/api/v1/positions');
  if (pr.status !== 200 || !Array.isArray(pr.json)) return;
  const x = rnd();
  if (x < 0.2) {
    const or = await call(inv, 'GET', '/api/v1/orders');
    if (or.status !== 200 || !Array.isArray(or.json)) return;
    const open = or.json.filter((o) => ['OPEN', 'PARTIALLY_FILLED'].includes(o.status));
    if (!open.length) return;
    const o = open[Math.floor(rnd() * open.length)];
    const r = await call(inv, 'POST', `/api/v1/orders/${encodeURIComponent(o.order_id)}/cancel`, {});
    if (r.status === 202) {
      counts.accepted_cancels += 1;
      record({ ucc: inv.ucc, kind: 'cancel', order_ids: [o.order_id] });
    } else if (r.status) bump(counts.refused, `cancel ${r.status} ${(r.json && r.json.error) || ''}`.trim());
    return;
  }
  const usable = pr.json.filter((p) => p.net_qty !== 0 && p.squareoff_qty >= lotOf(p) && typeof p.ltp === 'number' && p.ltp > 0);
  if (!usable.length) return;
  const p = usable[Math.floor(rnd() * usable.length)];
  const body = { instrument: p.instrument, product: p.product, qty: lotOf(p) };
  if (x < 0.6) {
    const price = restingPrice(p);
    if (price === null) return;
    await squareOff(inv, { ...body, order_type: 'LIMIT', price }, 'square_off_limit');
  } else {
    await squareOff(inv, { ...body, order_type: 'MARKET' }, 'square_off_market');
  }
}

async function investor(inv) {
  keepStream(inv);
  while (!stopping) {
    if (!inv.cookie && !(await login(inv))) break;
    await act(inv);
    await sleep(pauseMs * (0.5 + rnd()));
  }
}

const clients = parseCsv(fs.readFileSync(path.join(dump, 'clients.csv'), 'utf8'))
  .filter((c) => c.eligible === 'Y')
  .sort((a, b) => (a.ucc < b.ucc ? -1 : 1));
const chosen = [];
const step = Math.max(1, Math.floor(clients.length / nInvestors));
for (let i = 0; i < clients.length && chosen.length < nInvestors; i += step) chosen.push(clients[i].ucc);
const investors = chosen.map((ucc, i) => ({ ucc, ip: `127.0.1.${10 + i}`, cookie: null, csrf: null, n: 0, stream: null }));
console.log(`load: ${investors.length} investors: ${chosen.join(' ')}`);

const runs = investors.map((inv) => investor(inv));
process.on('SIGTERM', async () => {
  stopping = true;
  for (const inv of investors) if (inv.stream) inv.stream.close();
  await Promise.race([Promise.all(runs), sleep(5000)]);
  console.log(`load: ${JSON.stringify(counts)}`);
  fs.closeSync(accepted);
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
