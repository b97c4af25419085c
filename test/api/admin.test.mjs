// The admin terminal's API (contract section 3 "Staff", docs/admin-api.md) against the real
// server: staff login (password + TOTP), rate limits, the admin.allow_from allowlist, the
// role of every endpoint, acting for a client with a reason and evidence, the audit trail
// and the live feed. The bulk square-off runs in test/e2e/bulk_square_off_test.sh (it
// closes every MIS position) and in the browser test.
//
// test/api/run_web_tests.sh creates the staff accounts with `irra staff add` and passes them
// in IRRA_STAFF_FILE: {"USER": {"role", "password", "secret"}}. Its allowlist is
// 127.0.0.0/25 and ::1, so 127.0.0.200 is outside it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  env, get, post, sleep, freshIp, setCookies, openStream, clients, Investor, assertError, assertOrder,
} from './lib.mjs';

const STAFF_COOKIE = '__Host-irra_staff';
const staffFile = process.env.IRRA_STAFF_FILE || '';
const accounts = staffFile ? JSON.parse(fs.readFileSync(staffFile, 'utf8')) : {};
const OUTSIDE = '127.0.0.200';

// ---------------------------------------------------------------- TOTP (RFC 6238, SHA-1)
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secret, step = Math.floor(Date.now() / 1000 / 30)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

const nowStep = () => Math.floor(Date.now() / 1000 / 30);

// Each code works once per account; the server accepts the current step and its
// neighbours, so a test may log one account in twice without waiting: now, then now+1.
const usedSteps = new Map();
function nextCode(user) {
  const step = Math.max(nowStep(), (usedSteps.get(user) ?? -1) + 1);
  assert.ok(step <= nowStep() + 1, `account ${user}: no unused TOTP step left in the window`);
  usedSteps.set(user, step);
  return totp(accounts[user].secret, step);
}

function account(user) {
  assert.ok(accounts[user], `staff account ${user} (IRRA_STAFF_FILE)`);
  return accounts[user];
}

class Staff {
  constructor(user, ip) {
    this.user = user;
    this.ip = ip || freshIp();
    this.cookie = null;
    this.csrf = null;
  }

  async login() {
    const a = account(this.user);
    const r = await post('/api/v1/admin/auth/login', {
      json: { user: this.user, password: a.password, totp: nextCode(this.user) },
      ip: this.ip,
      headers: { 'User-Agent': `irra-admin-test/${this.user}` },
    });
    assert.equal(r.status, 200, `staff login of ${this.user}: ${r.status} ${r.text}`);
    const c = setCookies(r).find((x) => x.name === STAFF_COOKIE);
    assert.ok(c, `login sets ${STAFF_COOKIE}`);
    this.setCookie = c;
    this.cookie = `${STAFF_COOKIE}=${c.value}`;
    this.csrf = r.json.csrf_token;
    this.body = r.json;
    return r;
  }

  get(path, { headers, ...opts } = {}) {
    return get(path, { cookie: this.cookie, ip: this.ip, ...opts, headers: { 'User-Agent': `irra-admin-test/${this.user}`, ...(headers || {}) } });
  }

  post(path, json, { headers, ...opts } = {}) {
    return post(path, {
      cookie: this.cookie,
      csrf: this.csrf,
      ip: this.ip,
      json: json ?? {},
      ...opts,
      headers: { 'User-Agent': `irra-admin-test/${this.user}`, ...(headers || {}) },
    });
  }
}

const skip = !staffFile ? 'IRRA_STAFF_FILE not set' : false;

// ---------------------------------------------------------------- allowlist
test('requests from outside admin.allow_from get 404 for the whole staff surface', { skip }, async () => {
  const paths = [
    ['GET', '/api/v1/admin/overview'],
    ['GET', '/api/v1/admin/session'],
    ['GET', '/api/v1/admin/clients?q=C'],
    ['GET', '/api/v1/admin/no-such-endpoint'],
    ['GET', '/admin/'],
    ['GET', '/admin/index.html'],
    ['GET', '/admin'],
    ['DELETE', '/api/v1/admin/overview'],
  ];
  for (const [method, path] of paths) {
    const r = await (method === 'GET' ? get(path, { ip: OUTSIDE }) : (await import('./lib.mjs')).request(method, path, { ip: OUTSIDE }));
    assert.equal(r.status, 404, `${method} ${path} from ${OUTSIDE}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  // Even a correct login: nothing from there reaches the login code.
  const a = account('viewer1');
  const r = await post('/api/v1/admin/auth/login', {
    json: { user: 'viewer1', password: a.password, totp: totp(a.secret) },
    ip: OUTSIDE,
  });
  assert.equal(r.status, 404, `login from outside: ${r.status}`);
  // The investor API is not affected, and the page is served inside the list.
  assert.equal((await get('/api/v1/status', { ip: OUTSIDE })).status, 200);
  const page = await get('/admin/', { ip: freshIp() });
  assert.equal(page.status, 200, `GET /admin/ from inside: ${page.status}`);
  assert.match(String(page.headers['content-type']), /text\/html/);
});

// ---------------------------------------------------------------- login
test('staff login: any wrong part gets the same 401; a right one sets a strict cookie', { skip }, async () => {
  const ip = freshIp();
  const a = account('dealer1');
  const tries = [
    { user: 'dealer1', password: a.password + 'x', totp: totp(a.secret) },
    { user: 'dealer1', password: a.password, totp: String((Number(totp(a.secret)) + 1) % 1_000_000).padStart(6, '0') },
    { user: 'nobody-here', password: a.password, totp: totp(a.secret) },
    { user: 'gone1', password: account('gone1').password, totp: totp(account('gone1').secret) },
  ];
  const bodies = [];
  for (const [i, json] of tries.entries()) {
    // Each from its own address, so that the per-IP limit does not interfere.
    const r = await post('/api/v1/admin/auth/login', { json, ip: i === 0 ? ip : freshIp() });
    assertError(r, 401, 'unauthorized', `wrong login #${i}`);
    assert.equal(setCookies(r).length, 0, 'no cookie on a failed login');
    bodies.push(r.text);
  }
  assert.equal(new Set(bodies).size, 1, `one answer for every wrong part: ${bodies.join(' | ')}`);

  const bad = await post('/api/v1/admin/auth/login', { json: { user: 'dealer1' }, ip });
  assertError(bad, 400, 'bad_request', 'login without password and code');

  const s = new Staff('dealer1', ip);
  const r = await s.login();
  assert.equal(r.json.user, 'dealer1');
  assert.equal(r.json.role, 'dealer');
  assert.equal(typeof r.json.csrf_token, 'string');
  assert.ok(r.json.csrf_token.length >= 20);
  const attrs = s.setCookie.attrs;
  assert.ok(attrs.secure && attrs.httponly, `Secure and HttpOnly: ${JSON.stringify(attrs)}`);
  assert.equal(String(attrs.samesite).toLowerCase(), 'strict');
  assert.equal(attrs.path, '/');
  assert.ok(!attrs.domain, 'no Domain on a __Host- cookie');
  assert.ok(!('max-age' in attrs) && !attrs.expires, 'a session cookie');

  // The same code again (a replay) is refused even though it is still current.
  const replay = await post('/api/v1/admin/auth/login', {
    json: { user: 'dealer1', password: a.password, totp: totp(a.secret, usedSteps.get('dealer1')) },
    ip: freshIp(),
  });
  assertError(replay, 401, 'unauthorized', 'reused TOTP code');

  const me = await s.get('/api/v1/admin/session');
  assert.equal(me.status, 200);
  assert.equal(me.json.user, 'dealer1');
  assert.equal(me.json.csrf_token, s.csrf);
  const idle = Date.parse(me.json.idle_expires_at) - Date.now();
  const abs = Date.parse(me.json.expires_at) - Date.now();
  assert.ok(idle > 14 * 60e3 && idle <= 15 * 60e3 + 5e3, `15 minutes idle: ${me.json.idle_expires_at}`);
  assert.ok(abs > 7.9 * 3600e3 && abs <= 8 * 3600e3 + 5e3, `8 hours absolute: ${me.json.expires_at}`);

  // The investor cookie name is not a staff session, and vice versa.
  const asInvestor = await get('/api/v1/positions', { cookie: `__Host-irra_session=${s.setCookie.value}`, ip });
  assert.equal(asInvestor.status, 401);

  const noCsrf = await post('/api/v1/admin/auth/logout', { cookie: s.cookie, ip });
  assertError(noCsrf, 403, 'csrf', 'logout without X-CSRF-Token');
  const out = await s.post('/api/v1/admin/auth/logout', {});
  assert.equal(out.status, 204);
  assert.equal((await s.get('/api/v1/admin/session')).status, 401, 'the session ended');
});

test('5 failures per user name or per address answer 429 with Retry-After, even for the right password', { skip }, async () => {
  const a = account('locked1');
  for (let i = 0; i < 5; i++) {
    const r = await post('/api/v1/admin/auth/login', {
      json: { user: 'locked1', password: `wrong-${i}`, totp: '000000' },
      ip: freshIp(),
    });
    assertError(r, 401, 'unauthorized', `failure ${i + 1} for locked1`);
  }
  const blocked = await post('/api/v1/admin/auth/login', {
    json: { user: 'locked1', password: a.password, totp: totp(a.secret) },
    ip: freshIp(),
  });
  assertError(blocked, 429, 'rate_limited', 'locked1 after 5 failures');
  assert.ok(Number(blocked.headers['retry-after']) >= 1, `Retry-After: ${blocked.headers['retry-after']}`);

  const ip = freshIp();
  for (let i = 0; i < 5; i++) {
    const r = await post('/api/v1/admin/auth/login', {
      json: { user: `someone-${i}`, password: 'wrong', totp: '000000' },
      ip,
    });
    assertError(r, 401, 'unauthorized', `failure ${i + 1} from ${ip}`);
  }
  const v = account('viewer2');
  const fromIp = await post('/api/v1/admin/auth/login', {
    json: { user: 'viewer2', password: v.password, totp: totp(v.secret) },
    ip,
  });
  assertError(fromIp, 429, 'rate_limited', `a right login from ${ip} after 5 failures there`);
  // The same account from elsewhere is fine.
  await new Staff('viewer2').login();
});

// ---------------------------------------------------------------- roles
test('every endpoint checks the role: viewer < dealer < supervisor < admin', { skip }, async () => {
  const ucc = clients().roles.other.ucc;
  // [method, path, body, lowest role]. Bodies are invalid on purpose: an allowed role gets a
  // 4xx about the body (or 2xx for reads), never 403, and nothing is done.
  const table = [
    ['GET', '/api/v1/admin/session', null, 'viewer'],
    ['GET', '/api/v1/admin/overview', null, 'viewer'],
    ['GET', `/api/v1/admin/clients?q=${ucc}`, null, 'viewer'],
    ['GET', `/api/v1/admin/clients/${ucc}`, null, 'viewer'],
    ['GET', `/api/v1/admin/clients/${ucc}/positions`, null, 'viewer'],
    ['GET', `/api/v1/admin/clients/${ucc}/orders`, null, 'viewer'],
    ['GET', `/api/v1/admin/clients/${ucc}/trades`, null, 'viewer'],
    ['GET', `/api/v1/admin/clients/${ucc}/holdings`, null, 'viewer'],
    ['GET', `/api/v1/admin/clients/${ucc}/funds`, null, 'viewer'],
    ['GET', '/api/v1/admin/jobs', null, 'viewer'],
    ['GET', '/api/v1/admin/jobs/NO-SUCH-JOB', null, 'viewer'],
    ['GET', '/api/v1/admin/audit?limit=1', null, 'viewer'],
    ['GET', '/api/v1/admin/audit.csv?type=no.such.type', null, 'viewer'],
    ['POST', `/api/v1/admin/clients/${ucc}/square-off`, { product: 'MIS' }, 'dealer'],
    ['POST', `/api/v1/admin/clients/${ucc}/square-off-all`, { reason: 'test' }, 'dealer'],
    ['POST', `/api/v1/admin/clients/${ucc}/orders/NO-SUCH-ORDER/cancel`, {}, 'dealer'],
    ['POST', '/api/v1/admin/bulk/square-off', { product: 'MIS' }, 'supervisor'],
    ['POST', '/api/v1/admin/jobs/NO-SUCH-JOB/cancel', {}, 'supervisor'],
    ['POST', '/api/v1/admin/mode', { to: 'nowhere' }, 'supervisor'],
  ];
  const order = ['viewer', 'dealer', 'supervisor', 'admin'];
  const staff = {};
  for (const [role, user] of [['viewer', 'viewer1'], ['dealer', 'dealer3'], ['supervisor', 'super1'], ['admin', 'admin1']]) {
    staff[role] = new Staff(user);
    await staff[role].login();
  }
  const rows = [];
  for (const [method, path, body, lowest] of table) {
    // No session at all: 401.
    const anon = method === 'GET' ? await get(path, { ip: freshIp() }) : await post(path, { json: body, ip: freshIp() });
    assert.equal(anon.status, 401, `${method} ${path} without a session: ${anon.status}`);
    for (const role of order) {
      const s = staff[role];
      const r = method === 'GET' ? await s.get(path) : await s.post(path, body);
      const allowed = order.indexOf(role) >= order.indexOf(lowest);
      rows.push(`${role.padEnd(10)} ${method} ${path} -> ${r.status}`);
      if (allowed) {
        assert.notEqual(r.status, 403, `${role} may ${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
        assert.ok(r.status < 500, `${role} ${method} ${path}: ${r.status} ${r.text.slice(0, 200)}`);
      } else {
        assertError(r, 403, 'forbidden', `${role} may not ${method} ${path}`);
      }
    }
  }
  // State-changing calls without the CSRF header: 403 csrf for everyone.
  const noCsrf = await post('/api/v1/admin/mode', { cookie: staff.supervisor.cookie, ip: staff.supervisor.ip, json: { to: 'active', reason: 'x' } });
  assertError(noCsrf, 403, 'csrf', 'mode change without X-CSRF-Token');
  console.log(rows.join('\n'));
});

// ---------------------------------------------------------------- reading
test('overview, client search and a client\'s books as the investor sees them', { skip }, async () => {
  const s = new Staff('viewer1');
  await s.login();
  const o = await s.get('/api/v1/admin/overview');
  assert.equal(o.status, 200, o.text);
  for (const k of ['mode', 'since', 'exchange', 'investors_logged_in', 'orders_today', 'trades_today', 'open_positions', 'write_backlog', 'outbox_depth', 'jobs']) {
    assert.ok(k in o.json, `overview.${k}: ${o.text.slice(0, 300)}`);
  }
  assert.equal(o.json.mode, 'active');
  for (const src of ['main', 'investor', 'staff', 'bulk']) assert.ok(Number.isInteger(o.json.orders_today[src]), `orders_today.${src}`);
  assert.ok(o.json.orders_today.main > 0, 'the simulated main-site day shows');
  assert.ok(o.json.open_positions.length > 0);
  const first = o.json.open_positions[0];
  for (const k of ['instrument', 'net_qty', 'exposure', 'clients']) assert.ok(k in first, `open_positions[0].${k}`);

  const c = clients().roles.staff_act;
  for (const q of [c.ucc, c.ucc.slice(0, -1), c.pan, c.name.split(' ')[0].toLowerCase()]) {
    const r = await s.get(`/api/v1/admin/clients?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.clients.length <= 50, 'at most 50');
    assert.ok(r.json.clients.some((x) => x.ucc === c.ucc), `search "${q}" finds ${c.ucc}: ${r.text.slice(0, 300)}`);
  }
  const exact = await s.get(`/api/v1/admin/clients?q=${c.ucc}`);
  assert.equal(exact.json.clients[0].ucc, c.ucc, 'an exact UCC comes first');
  assert.equal((await s.get('/api/v1/admin/clients/NO-SUCH-UCC/positions')).status, 404);

  // The same objects the investor API gives the client.
  const inv = new Investor(c.ucc);
  await inv.login();
  for (const what of ['positions', 'orders', 'trades', 'holdings', 'funds']) {
    const mine = await inv.get(`/api/v1/${what}`);
    const desk = await s.get(`/api/v1/admin/clients/${c.ucc}/${what}`);
    assert.equal(desk.status, 200, `${what}: ${desk.text}`);
    assert.deepEqual(desk.json, mine.json, `${what} as the investor sees them`);
  }
});

// ---------------------------------------------------------------- acting for a client
test('a dealer squares off for a client with reason and evidence; the investor sees it as the desk\'s', { skip }, async () => {
  const c = clients().roles.staff_act;
  const p = c.position;
  const lot = p.lot_size > 1 ? p.lot_size : 1;
  const s = new Staff('dealer2');
  await s.login();
  const feedWatcher = new Staff('viewer3');
  await feedWatcher.login();
  const feed = await openStream({ cookie: feedWatcher.cookie, ip: feedWatcher.ip, path: '/api/v1/admin/stream' });
  assert.equal(feed.status, 200);

  const path = `/api/v1/admin/clients/${c.ucc}/square-off`;
  const body = { instrument: p.instrument, product: p.product, qty: lot };
  assertError(await s.post(path, body), 400, 'reason_required', 'no reason');
  assertError(await s.post(path, { ...body, reason: 'client called' }), 400, 'evidence_required', 'no evidence');
  assertError(await s.post(path, { ...body, reason: '   ', evidence_ref: 'REC-1' }), 400, 'reason_required', 'blank reason');
  assertError(await s.post(`/api/v1/admin/clients/NOBODY/square-off`, { ...body, reason: 'r', evidence_ref: 'e' }), 404, 'not_found', 'unknown client');

  const key = `desk-${crypto.randomUUID()}`;
  const full = { ...body, reason: 'Client phoned: site unreachable', evidence_ref: 'CALL-2024-12-02-0042' };
  const r = await s.post(path, full, { headers: { 'Idempotency-Key': key } });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.orders.length, 1);
  const order = r.json.orders[0];
  assertOrder(order, 'staff order');
  assert.equal(order.source, 'backup');
  assert.equal(order.placed_by, 'staff');
  assert.equal(order.qty, lot);

  // Replaying the key answers the same and sends nothing.
  const again = await s.post(path, full, { headers: { 'Idempotency-Key': key } });
  assert.equal(again.status, 202);
  assert.deepEqual(again.json.orders.map((x) => x.order_id), [order.order_id]);

  // The investor's own order book shows it, marked as the desk's.
  const inv = new Investor(c.ucc);
  await inv.login();
  const filled = await inv.waitOrder(order.order_id, (x) => x.status === 'FILLED', 'FILLED');
  assert.equal(filled.placed_by, 'staff');
  const pos = await inv.position(p.instrument, p.product);
  assert.equal(Math.abs(pos.net_qty), Math.abs(p.net_qty) - lot, 'the position shrank by one lot');

  // The live feed carried the staff action and the order.
  await feed.waitFor((e) => e.event === 'staff' && e.data.ucc === c.ucc && e.data.user === 'dealer2', 5000);
  await feed.waitFor((e) => e.event === 'order' && e.data.order_id === order.order_id, 5000);
  const staffEvent = feed.events.find((e) => e.event === 'staff' && e.data.ucc === c.ucc);
  assert.equal(staffEvent.data.evidence_ref, full.evidence_ref);
  feed.close();

  // The audit trail: who, role, from where, with what, why and on what evidence.
  const a = await feedWatcher.get(`/api/v1/admin/audit?ucc=${c.ucc}&type=staff.square_off`);
  assert.equal(a.status, 200, a.text);
  assert.ok(a.json.records.length >= 1, a.text.slice(0, 300));
  const rec = a.json.records[0];
  assert.equal(rec.actor, 'staff:dealer2');
  assert.equal(rec.ip, s.ip);
  assert.equal(rec.user_agent, 'irra-admin-test/dealer2');
  assert.equal(rec.detail.role, 'dealer');
  assert.equal(rec.detail.reason, full.reason);
  assert.equal(rec.detail.evidence_ref, full.evidence_ref);
  assert.deepEqual(rec.detail.orders, [order.order_id]);
  assert.equal(rec.chain_ok, true);
  const byUser = await feedWatcher.get('/api/v1/admin/audit?user=dealer2&limit=1000');
  assert.ok(byUser.json.records.every((x) => x.actor === 'staff:dealer2'));
  assert.ok(byUser.json.records.some((x) => x.type === 'staff.login'));
  const csv = await feedWatcher.get(`/api/v1/admin/audit.csv?ucc=${c.ucc}`);
  assert.equal(csv.status, 200);
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'seq,ts,type,actor,ucc,ip,user_agent,detail,prev_hash,hash,chain_ok');
  assert.ok(lines.some((l) => l.includes('staff.square_off') && l.includes('CALL-2024-12-02-0042') && l.endsWith(',true')));
});

test('a dealer cancels for a client; square-off-all needs the reason too', { skip }, async () => {
  const roles = clients().roles;
  const s = new Staff('dealer3');
  await s.login();
  const why = { reason: 'Client asked by phone', evidence_ref: 'TICKET-77' };
  if (roles.staff_cancel) {
    const c = roles.staff_cancel;
    const path = `/api/v1/admin/clients/${c.ucc}/orders/${encodeURIComponent(c.main_order)}/cancel`;
    assertError(await s.post(path, {}), 400, 'reason_required', 'cancel without a reason');
    const r = await s.post(path, why);
    assert.equal(r.status, 202, r.text);
    const inv = new Investor(c.ucc);
    await inv.login();
    await inv.waitOrder(c.main_order, (o) => o.status === 'CANCELLED', 'CANCELLED');
  }
  // Another client's order id under this client: 404, as for the investor.
  const other = roles.staff_act.ucc;
  const wrong = await s.post(`/api/v1/admin/clients/${other}/orders/NO-SUCH-ORDER/cancel`, why);
  assertError(wrong, 404, 'not_found', 'unknown order');
  assertError(await s.post(`/api/v1/admin/clients/${other}/square-off-all`, { evidence_ref: 'X' }), 400, 'reason_required', 'square-off-all without a reason');
});

test('mode control: supervisor only, same refusals as irra ctl', { skip }, async () => {
  const s = new Staff('super1');
  await s.login();
  assertError(await s.post('/api/v1/admin/mode', { to: 'active' }), 400, 'reason_required', 'no reason');
  const r = await s.post('/api/v1/admin/mode', { to: 'active', reason: 'test: already active' });
  assertError(r, 409, 'already_in_mode', 'to the mode it is in');
  const r2 = await s.post('/api/v1/admin/mode', { to: 'standby', reason: 'test: not from active' });
  assertError(r2, 409, 'invalid_transition', 'active -> standby');
  const a = await s.get('/api/v1/admin/audit?type=staff.mode_refused&user=super1');
  assert.ok(a.json.records.length >= 2, 'refused mode changes are audited');
});

test('a disabled account cannot log in and its sessions end', { skip }, async () => {
  const s = new Staff('gone2');
  await s.login();
  assert.equal((await s.get('/api/v1/admin/session')).status, 200);
  const { execFileSync } = await import('node:child_process');
  execFileSync(env.irraBin, ['staff', 'disable', '--user', 'gone2', '--config', env.irraConfig], { timeout: 20000 });
  const deadline = Date.now() + 12000;
  let status = 200;
  while (Date.now() < deadline) {
    status = (await s.get('/api/v1/admin/session')).status;
    if (status === 401) break;
    await sleep(250);
  }
  assert.equal(status, 401, 'the session ended within the account sync interval');
  const a = account('gone2');
  const again = await post('/api/v1/admin/auth/login', {
    json: { user: 'gone2', password: a.password, totp: nextCode('gone2') },
    ip: freshIp(),
  });
  assertError(again, 401, 'unauthorized', 'disabled account');
});
