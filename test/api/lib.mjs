// Helpers for IRRA's API integration tests against a real `irra serve` and a real
// irra-exchange-sim (test/api/run_web_tests.sh starts them): raw HTTPS requests (node's https
// module, so paths go on the wire exactly as written and each test can come from its own
// loopback address, which keeps the per-IP rate limits of one test from touching another),
// a cookie kept by hand from Set-Cookie, the OTP read from the notification file, and a
// Server-Sent Events reader.

import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';

export const env = {
  url: (process.env.IRRA_URL || 'https://127.0.0.1:18443').replace(/\/+$/, ''),
  standbyUrl: (process.env.IRRA_STANDBY_URL || '').replace(/\/+$/, ''),
  notifyFile: process.env.IRRA_NOTIFY_FILE || 'var/notifications.jsonl',
  simControl: (process.env.IRRA_SIM_CONTROL || '').replace(/\/+$/, ''),
  clientsFile: process.env.IRRA_CLIENTS_FILE || '',
  irraBin: process.env.IRRA_BIN || '',
  irraConfig: process.env.IRRA_CONFIG || '',
  staticDir: process.env.IRRA_STATIC_DIR || '',
  dumpDir: process.env.IRRA_DUMP_DIR || '',
  logFile: process.env.IRRA_LOG_FILE || '',
  standbyNotifyFile: process.env.IRRA_STANDBY_NOTIFY_FILE || '',
  otpTtlS: Number(process.env.IRRA_OTP_TTL_S || 300),
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- HTTP

/**
 * One HTTPS request. `path` is sent verbatim. Options: json (object, sent as
 * application/json), body (string/Buffer, sent as is), headers, cookie (raw "name=value"),
 * csrf (X-CSRF-Token), ip (local source address, e.g. "127.0.0.9"), base (server URL).
 * Resolves {status, headers, text, json}; json is null when the body is not JSON.
 */
export function request(method, path, opts = {}) {
  const base = new URL(opts.base || env.url);
  const headers = { ...(opts.headers || {}) };
  let body = null;
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = 'application/json';
  } else if (opts.body !== undefined) {
    body = Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body);
  }
  if (body !== null) headers['Content-Length'] = String(body.length);
  if (opts.cookie) headers.Cookie = opts.cookie;
  if (opts.csrf !== undefined) headers['X-CSRF-Token'] = opts.csrf;
  const mod = base.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers,
        agent: false,
        rejectUnauthorized: false,
        localAddress: opts.ip,
        timeout: opts.timeoutMs ?? 20000,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', reject);
    if (body !== null) req.write(body);
    req.end();
  });
}

function hasHeader(headers, name) {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

export const get = (path, opts) => request('GET', path, opts);
export const post = (path, opts) => request('POST', path, opts);

/** Plain HTTP to the simulator's control port. */
export async function sim(method, path) {
  assert.ok(env.simControl, 'IRRA_SIM_CONTROL is not set');
  const r = await request(method, path, { base: env.simControl });
  assert.equal(r.status, 200, `simulator ${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

export const simState = () => sim('GET', '/control/state?positions=0');

/** `irra ctl CMD [--ucc U]` against the active server: one JSON object per line. */
export function ctl(cmd, ucc) {
  const args = [cmd, '--config', env.irraConfig];
  if (ucc) args.push('--ucc', ucc);
  return new Promise((resolve) => {
    execFile(env.irraBin, ['ctl', ...args], { timeout: 20000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const items = stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return { unparsed: l };
          }
        });
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, items, stderr });
    });
  });
}

// ---------------------------------------------------------------- cookies

/** Parses one Set-Cookie header: {name, value, attrs: {lowercased name: value|true}}. */
export function parseSetCookie(line) {
  const parts = line.split(';').map((s) => s.trim());
  const [nv, ...rest] = parts;
  const eq = nv.indexOf('=');
  const attrs = {};
  for (const a of rest) {
    if (!a) continue;
    const i = a.indexOf('=');
    if (i < 0) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
  }
  return { name: nv.slice(0, eq), value: nv.slice(eq + 1), attrs };
}

export function setCookies(res) {
  const h = res.headers['set-cookie'];
  return (Array.isArray(h) ? h : h ? [h] : []).map(parseSetCookie);
}

export const SESSION_COOKIE = '__Host-irra_session';

// ---------------------------------------------------------------- OTP

/** Bytes in the notification file now: OTPs are looked for only after this point. */
export function notifyOffset() {
  try {
    return fs.statSync(env.notifyFile).size;
  } catch {
    return 0;
  }
}

/** Every complete JSON line written to the notification file after `offset`. */
export function notifyLinesSince(offset) {
  let text = '';
  try {
    const fd = fs.openSync(env.notifyFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        text = buf.toString('utf8');
      }
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return [];
  }
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line still being written
    }
  }
  return out;
}

/** Waits for the last OTP message for `ucc` written after `offset`; returns the whole line. */
export async function waitForOtpLine(ucc, offset, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = notifyLinesSince(offset).filter((m) => m.type === 'otp' && String(m.ucc) === ucc);
    if (mine.length) return mine[mine.length - 1];
    if (Date.now() > deadline) throw new Error(`no OTP for ${ucc} in ${env.notifyFile} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------- sessions

/** Every OTP and session token the tests saw: the server's log must contain none of them. */
export const seenSecrets = { otps: new Set(), tokens: new Set() };

let nextIp = 10;
/** A fresh loopback source address for a test (its own per-IP rate-limit buckets). */
export function freshIp() {
  nextIp += 1;
  assert.ok(nextIp < 250, 'out of loopback addresses');
  return `127.0.0.${nextIp}`;
}

/** A logged-in investor: cookie, CSRF token, and request helpers that send them. */
export class Investor {
  constructor(ucc, ip) {
    this.ucc = ucc;
    this.ip = ip || freshIp();
    this.cookie = null;
    this.csrf = null;
    this.loginBody = null;
    this.setCookie = null;
  }

  async requestOtp(login = this.ucc) {
    const offset = notifyOffset();
    const r = await post('/api/v1/auth/otp', { json: { login }, ip: this.ip });
    assert.equal(r.status, 202, `POST /auth/otp for ${login}: ${r.status} ${r.text}`);
    const line = await waitForOtpLine(this.ucc, offset);
    seenSecrets.otps.add(String(line.otp));
    return { challenge: r.json.challenge_id, otp: String(line.otp), line, answer: r.json };
  }

  async submitOtp(challenge, otp) {
    return post('/api/v1/auth/login', { json: { challenge_id: challenge, otp }, ip: this.ip });
  }

  async login(login = this.ucc) {
    const { challenge, otp } = await this.requestOtp(login);
    const r = await this.submitOtp(challenge, otp);
    assert.equal(r.status, 200, `login of ${this.ucc}: ${r.status} ${r.text}`);
    this.adopt(r);
    return r;
  }

  adopt(r) {
    const c = setCookies(r).find((x) => x.name === SESSION_COOKIE);
    assert.ok(c, `login answer sets ${SESSION_COOKIE}: ${JSON.stringify(r.headers['set-cookie'])}`);
    this.setCookie = c;
    seenSecrets.tokens.add(c.value);
    this.cookie = `${SESSION_COOKIE}=${c.value}`;
    this.csrf = r.json.csrf_token;
    this.loginBody = r.json;
  }

  get(path, opts = {}) {
    return get(path, { cookie: this.cookie, ip: this.ip, ...opts });
  }

  /** POSTs `json` ({} when undefined), or opts.body verbatim when given. */
  post(path, json, opts = {}) {
    const payload = opts.body !== undefined ? {} : { json: json ?? {} };
    return post(path, { cookie: this.cookie, csrf: this.csrf, ip: this.ip, ...payload, ...opts });
  }

  async list(what) {
    const r = await this.get(`/api/v1/${what}`);
    assert.equal(r.status, 200, `GET /${what}: ${r.status} ${r.text}`);
    assert.ok(Array.isArray(r.json), `GET /${what} is a JSON array (the contract): ${r.text.slice(0, 200)}`);
    return r.json;
  }

  async position(instrument, product) {
    return (await this.list('positions')).find((p) => p.instrument === instrument && p.product === product);
  }

  async order(orderId) {
    return (await this.list('orders')).find((o) => o.order_id === orderId);
  }

  /** Polls GET /orders until pred(order) holds for orderId; returns the order. */
  async waitOrder(orderId, pred, what, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await this.order(orderId);
      if (last && pred(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`order ${orderId} of ${this.ucc}: not ${what} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
      }
      await sleep(100);
    }
  }

  async waitPosition(instrument, product, pred, what, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      last = await this.position(instrument, product);
      if (last && pred(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`position ${instrument} ${product} of ${this.ucc}: not ${what} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
      }
      await sleep(100);
    }
  }

  openStream(opts = {}) {
    return openStream({ cookie: this.cookie, ip: this.ip, ...opts });
  }
}

// ---------------------------------------------------------------- Server-Sent Events

/**
 * Opens GET /api/v1/stream. Resolves {status, headers, events, comments, retry, ended,
 * waitFor(pred, ms), close()} once the response head arrives; events are
 * {event, data (parsed JSON or the raw text), raw}.
 */
export function openStream({ cookie, ip, base, path = '/api/v1/stream' } = {}) {
  const url = new URL(base || env.url);
  return new Promise((resolve, reject) => {
    const headers = { Accept: 'text/event-stream' };
    if (cookie) headers.Cookie = cookie;
    const req = https.request(
      { host: url.hostname, port: url.port, method: 'GET', path, headers, agent: false, rejectUnauthorized: false, localAddress: ip },
      (res) => {
        const s = {
          status: res.statusCode,
          headers: res.headers,
          events: [],
          comments: [],
          retry: null,
          text: '',
          waiters: [],
        };
        let buf = '';
        let endResolve;
        s.ended = new Promise((r) => (endResolve = r));
        const check = () => {
          s.waiters = s.waiters.filter((w) => {
            const hit = s.events.find(w.pred);
            if (hit) {
              w.resolve(hit);
              return false;
            }
            return true;
          });
        };
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          s.text += chunk;
          if (s.status !== 200) return;
          buf += chunk.replace(/\r\n/g, '\n');
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let event = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) s.comments.push(line.slice(1).trim());
              else if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
              else if (line.startsWith('retry:')) s.retry = Number(line.slice(6).trim());
            }
            if (data.length) {
              const raw = data.join('\n');
              let parsed = raw;
              try {
                parsed = JSON.parse(raw);
              } catch {
                // left as text; the test that reads it complains
              }
              s.events.push({ event, data: parsed, raw, dataLines: data.length });
            }
          }
          check();
        });
        res.on('end', () => endResolve('end'));
        res.on('close', () => endResolve('close'));
        res.on('error', () => endResolve('error'));
        s.waitFor = (pred, ms = 15000) =>
          new Promise((resolveW, rejectW) => {
            const hit = s.events.find(pred);
            if (hit) return resolveW(hit);
            const w = { pred, resolve: resolveW };
            s.waiters.push(w);
            setTimeout(() => {
              if (s.waiters.includes(w)) {
                s.waiters = s.waiters.filter((x) => x !== w);
                rejectW(new Error(`stream: no matching event within ${ms} ms; got ${JSON.stringify(s.events.map((e) => e.event + ' ' + e.raw)).slice(0, 2000)}`));
              }
            }, ms);
          });
        s.close = () => {
          req.destroy();
          res.destroy();
        };
        resolve(s);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------- shapes

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export function assertTime(v, what) {
  assert.equal(typeof v, 'string', `${what} is an ISO-8601 string: ${JSON.stringify(v)}`);
  assert.match(v, ISO_UTC, `${what} is ISO-8601 UTC: ${v}`);
  assert.ok(!Number.isNaN(Date.parse(v)), `${what} parses: ${v}`);
}

/** A price: a JSON number in rupees with at most two decimals (checked on the raw text too). */
export function assertPrice(v, what, { nullable = false } = {}) {
  if (nullable && v === null) return;
  assert.equal(typeof v, 'number', `${what} is a number: ${JSON.stringify(v)}`);
  assert.ok(Number.isFinite(v), `${what} is finite`);
  const paise = v * 100;
  assert.ok(Math.abs(paise - Math.round(paise)) < 1e-6, `${what} has at most two decimals: ${v}`);
}

export function assertQty(v, what) {
  assert.ok(Number.isInteger(v), `${what} is an integer: ${JSON.stringify(v)}`);
}

/** Every number in a raw JSON text has at most two decimals (prices in rupees, no 1e-7 noise). */
export function assertNoLongDecimals(text, what) {
  const bad = text.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/-?\d+\.\d{3,}|\d[eE][+-]?\d+/g);
  assert.equal(bad, null, `${what}: numbers with more than two decimals or exponents: ${bad && bad.slice(0, 5)}`);
}

export function assertKeys(obj, keys, what) {
  assert.ok(obj && typeof obj === 'object' && !Array.isArray(obj), `${what} is an object`);
  for (const k of keys) assert.ok(Object.hasOwn(obj, k), `${what} has "${k}": ${JSON.stringify(obj)}`);
}

export const POSITION_KEYS = [
  'instrument', 'exchange', 'segment', 'symbol', 'product', 'net_qty', 'avg_price', 'ltp',
  'realized_pnl', 'unrealized_pnl', 'pending_exit_qty', 'squareoff_qty', 'lot_size', 'tick_size',
  'freeze_qty', 'lower_band', 'upper_band',
];
export const ORDER_KEYS = [
  'order_id', 'exchange_order_id', 'instrument', 'product', 'side', 'qty', 'filled_qty', 'price',
  'order_type', 'status', 'source', 'placed_at', 'updated_at', 'reason',
];
export const TRADE_KEYS = ['trade_id', 'order_id', 'instrument', 'side', 'qty', 'price', 'time'];
export const ORDER_STATUSES = ['PENDING', 'OPEN', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'];
export const FINAL = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);
export const PRODUCTS = ['MIS', 'NRML', 'CNC', 'MTF'];

export function assertPosition(p, what = 'position') {
  assertKeys(p, POSITION_KEYS, what);
  assert.match(p.instrument, /^[A-Z]+:\S+$/, `${what}.instrument`);
  assert.equal(p.instrument, `${p.exchange}:${p.symbol}`, `${what}: instrument is exchange:symbol`);
  assert.ok(['EQ', 'FO', 'CD', 'COM'].includes(p.segment), `${what}.segment ${p.segment}`);
  assert.ok(PRODUCTS.includes(p.product), `${what}.product ${p.product}`);
  for (const k of ['net_qty', 'pending_exit_qty', 'squareoff_qty', 'lot_size', 'freeze_qty']) assertQty(p[k], `${what}.${k}`);
  for (const k of ['avg_price', 'realized_pnl', 'unrealized_pnl', 'tick_size', 'lower_band', 'upper_band']) assertPrice(p[k], `${what}.${k}`);
  assertPrice(p.ltp, `${what}.ltp`, { nullable: true });
  assert.ok(p.pending_exit_qty >= 0 && p.squareoff_qty >= 0, `${what}: pending/squareoff not negative`);
  assert.ok(p.squareoff_qty <= Math.abs(p.net_qty), `${what}: squareoff_qty <= |net_qty|`);
  assert.ok(p.lot_size >= 1 && p.tick_size > 0 && p.lower_band <= p.upper_band, `${what}: instrument facts`);
}

export function assertOrder(o, what = 'order') {
  assertKeys(o, ORDER_KEYS, what);
  assert.equal(typeof o.order_id, 'string', `${what}.order_id`);
  assert.ok(o.exchange_order_id === null || typeof o.exchange_order_id === 'string', `${what}.exchange_order_id`);
  assert.ok(['BUY', 'SELL'].includes(o.side), `${what}.side ${o.side}`);
  assert.ok(['LIMIT', 'MARKET'].includes(o.order_type), `${what}.order_type ${o.order_type}`);
  assert.ok(ORDER_STATUSES.includes(o.status), `${what}.status ${o.status}`);
  assert.ok(['main', 'backup'].includes(o.source), `${what}.source ${o.source}`);
  assert.ok(PRODUCTS.includes(o.product), `${what}.product ${o.product}`);
  assertQty(o.qty, `${what}.qty`);
  assertQty(o.filled_qty, `${what}.filled_qty`);
  assert.ok(o.filled_qty >= 0 && o.filled_qty <= o.qty, `${what}: 0 <= filled_qty <= qty`);
  assertPrice(o.price, `${what}.price`);
  assertTime(o.placed_at, `${what}.placed_at`);
  assertTime(o.updated_at, `${what}.updated_at`);
  assert.equal(typeof o.reason, 'string', `${what}.reason`);
}

export function assertTrade(t, what = 'trade') {
  assertKeys(t, TRADE_KEYS, what);
  assert.equal(typeof t.trade_id, 'string', `${what}.trade_id`);
  assert.equal(typeof t.order_id, 'string', `${what}.order_id`);
  assert.ok(['BUY', 'SELL'].includes(t.side), `${what}.side`);
  assertQty(t.qty, `${what}.qty`);
  assert.ok(t.qty > 0, `${what}.qty > 0`);
  assertPrice(t.price, `${what}.price`);
  assertTime(t.time, `${what}.time`);
}

export function assertError(r, status, code, what) {
  assert.equal(r.status, status, `${what}: HTTP ${status} expected, got ${r.status} ${r.text.slice(0, 300)}`);
  assert.ok(r.json && typeof r.json === 'object', `${what}: JSON error body: ${r.text.slice(0, 300)}`);
  if (code !== undefined) assert.equal(r.json.error, code, `${what}: error code: ${r.text.slice(0, 300)}`);
  assert.equal(typeof r.json.message, 'string', `${what}: "message" is a string`);
  assert.ok(r.json.message.length > 0, `${what}: "message" is not empty`);
  assert.match(String(r.headers['content-type']), /^application\/json/, `${what}: content-type`);
}

// ---------------------------------------------------------------- prices

export const exitSide = (p) => (p.net_qty < 0 ? 'BUY' : 'SELL');
export const lotOf = (p) => (Number.isInteger(p.lot_size) && p.lot_size > 1 ? p.lot_size : 1);
export const toPaise = (rupees) => Math.round(rupees * 100);
export const toRupees = (paise) => Number((paise / 100).toFixed(2));

/** A limit price that rests (does not cross the last price): ~5% away, on the tick, in the band. */
export function restingPrice(p) {
  const tick = toPaise(p.tick_size);
  const ltp = toPaise(p.ltp);
  const lo = toPaise(p.lower_band);
  const hi = toPaise(p.upper_band);
  let price;
  if (exitSide(p) === 'SELL') {
    price = Math.floor((ltp * 1.05) / tick) * tick;
    if (price > hi) price = Math.floor(hi / tick) * tick;
    if (price <= ltp) return null;
  } else {
    price = Math.ceil((ltp * 0.95) / tick) * tick;
    if (price < lo) price = Math.ceil(lo / tick) * tick;
    if (price >= ltp || price <= 0) return null;
  }
  return toRupees(price);
}

/** Loads the roles test/api/pick_clients.mjs chose. */
export function clients() {
  assert.ok(env.clientsFile, 'IRRA_CLIENTS_FILE is not set');
  return JSON.parse(fs.readFileSync(env.clientsFile, 'utf8'));
}
