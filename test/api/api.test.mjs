// IRRA's investor REST API (interfaces.md section 3) end to end: a real `irra serve --active`
// on a real irra-exchange-sim, plus an `irra serve --standby`. Started by
// test/api/run_web_tests.sh, which also picks one investor per test (pick_clients.mjs) so
// that no test disturbs another's books.
//
// The tests run one after another (order matters only where a test says so). Each test
// talks from its own loopback address (127.0.0.x), so the per-IP rate limits of one test
// never touch another; the browser tests afterwards come from 127.0.0.1.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import {
  env,
  sleep,
  request,
  get,
  post,
  simState,
  sim,
  ctl,
  setCookies,
  SESSION_COOKIE,
  notifyOffset,
  notifyLinesSince,
  waitForOtpLine,
  freshIp,
  Investor,
  assertTime,
  assertPrice,
  assertQty,
  assertNoLongDecimals,
  assertKeys,
  assertPosition,
  assertOrder,
  assertTrade,
  assertError,
  FINAL,
  exitSide,
  lotOf,
  toPaise,
  toRupees,
  restingPrice,
  clients,
  seenSecrets,
} from './lib.mjs';

const { roles } = clients();
const FILL_MS = 20000;

/** Exit direction: the signed change of net_qty when qty of an exit fills. */
const delta = (p, qty) => (exitSide(p) === 'SELL' ? -qty : qty);

/** What the exchange has received so far (orders, cancels). */
async function exchangeCounts() {
  const s = await simState();
  return { orders: s.orders_received, cancels: s.cancels_received };
}

/** After `ms`, the exchange has received exactly `orders`/`cancels` more than `before`. */
async function assertExchangeGot(before, { orders = 0, cancels = 0 }, what, ms = 800) {
  const deadline = Date.now() + 10000;
  let now;
  // Wait for what is expected to arrive, then a little longer for anything extra.
  for (;;) {
    now = await exchangeCounts();
    if (now.orders - before.orders >= orders && now.cancels - before.cancels >= cancels) break;
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  await sleep(ms);
  now = await exchangeCounts();
  assert.equal(now.orders - before.orders, orders, `${what}: NewOrderSingle messages the exchange received`);
  assert.equal(now.cancels - before.cancels, cancels, `${what}: OrderCancelRequest messages the exchange received`);
}

function assertSecurityHeaders(r, what) {
  const h = r.headers;
  assert.match(String(h['strict-transport-security'] || ''), /max-age=\d{6,}/, `${what}: HSTS with a long max-age`);
  const csp = String(h['content-security-policy'] || '');
  assert.ok(csp, `${what}: Content-Security-Policy`);
  const script = (csp.match(/script-src([^;]*)/) || csp.match(/default-src([^;]*)/) || [])[1] || '';
  assert.ok(script.includes("'self'"), `${what}: CSP scripts from 'self' only: ${csp}`);
  assert.ok(!/'unsafe-inline'|'unsafe-eval'|\*/.test(script), `${what}: CSP allows no inline/eval/any-origin script: ${csp}`);
  assert.equal(String(h['x-content-type-options']).toLowerCase(), 'nosniff', `${what}: X-Content-Type-Options`);
  const frameDenied = /^deny$/i.test(String(h['x-frame-options'] || '')) || /frame-ancestors\s+'none'/.test(csp);
  assert.ok(frameDenied, `${what}: framing denied (X-Frame-Options DENY or frame-ancestors 'none')`);
  assert.match(String(h['referrer-policy'] || ''), /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/, `${what}: Referrer-Policy`);
}

function assertNoStore(r, what) {
  assert.match(String(r.headers['cache-control'] || ''), /no-store/, `${what}: Cache-Control no-store (got ${r.headers['cache-control']})`);
}

// ====================================================================== public

describe('public endpoints', () => {
  test('GET /healthz answers 200 while the process is alive', async () => {
    const r = await get('/healthz');
    assert.equal(r.status, 200, r.text);
    assertSecurityHeaders(r, '/healthz');
  });

  test('GET /readyz answers 200 with the database reachable and the exchange sessions logged on', async () => {
    const r = await get('/readyz');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json && typeof r.json === 'object', '/readyz is JSON');
    assertNoStore(r, '/readyz');
  });

  test('GET /api/v1/status has the contract shape: mode, since, exchange', async () => {
    const r = await get('/api/v1/status');
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assertKeys(r.json, ['mode', 'since', 'exchange'], '/status');
    assert.equal(r.json.mode, 'active');
    assertTime(r.json.since, '/status.since');
    assert.ok(Date.parse(r.json.since) <= Date.now() + 5000, 'since is not in the future');
    assert.ok(r.json.exchange && typeof r.json.exchange === 'object' && !Array.isArray(r.json.exchange), '/status.exchange is an object');
    assert.ok(Object.keys(r.json.exchange).length > 0, '/status.exchange says something about the sessions');
    assertSecurityHeaders(r, '/api/v1/status');
    assertNoStore(r, '/api/v1/status');
  });

  test('security headers and Cache-Control: no-store on API answers, errors included', async () => {
    for (const [method, p, opts] of [
      ['GET', '/api/v1/status', {}],
      ['GET', '/api/v1/positions', {}],
      ['GET', '/api/v1/no-such-thing', {}],
      ['POST', '/api/v1/auth/otp', { body: '{', headers: { 'Content-Type': 'application/json' } }],
    ]) {
      const r = await request(method, p, { ip: freshIp(), ...opts });
      assertSecurityHeaders(r, `${method} ${p} (${r.status})`);
      assertNoStore(r, `${method} ${p} (${r.status})`);
    }
  });

  test('the UI is served at / with an ETag, and If-None-Match gives 304', async () => {
    const r = await get('/');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/html/);
    assertSecurityHeaders(r, 'GET /');
    const etag = r.headers.etag;
    assert.ok(etag, 'GET / has an ETag');
    if (env.staticDir) {
      assert.equal(r.text, fs.readFileSync(path.join(env.staticDir, 'index.html'), 'utf8'), '/ is static/index.html');
    }
    const again = await get('/', { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304, 'revalidation with the ETag gives 304');
    assert.equal(again.text, '', '304 has no body');
    assert.equal(again.headers.etag, etag);
    const changed = await get('/', { headers: { 'If-None-Match': '"something-else"' } });
    assert.equal(changed.status, 200);
    const js = await get('/app.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.ok(js.headers.etag && js.headers.etag !== etag, 'each file has its own ETag');
  });

  test('path traversal never escapes the static folder', async () => {
    const passwd = fs.existsSync('/etc/passwd') ? fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0] : 'root:x:0:0';
    const probes = [
      '/../etc/passwd',
      '/../../../../../../etc/passwd',
      '/%2e%2e/etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/js/../../../../etc/passwd',
      '/js/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%252e%252e/%252e%252e/etc/passwd',
      '/..%5c..%5c..%5cetc%5cpasswd',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/static/../../../../etc/passwd',
      '/admin/../../../../etc/passwd',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      '/index.html%00.js',
      '/api/v1/../../../../etc/passwd',
    ];
    for (const p of probes) {
      const r = await get(p);
      assert.ok(!r.text.includes(passwd) && !/root:.*:0:0:/.test(r.text), `${p}: leaked /etc/passwd (HTTP ${r.status})`);
      assert.ok([400, 403, 404].includes(r.status), `${p}: expected 400/403/404, got ${r.status}`);
    }
    // Even a path that stays inside the folder after normalisation must not serve files
    // outside it, e.g. the server's own source or configuration.
    const r = await get('/js/../../README.md');
    assert.ok(r.status !== 200 || !r.text.includes('IRRA'), '/js/../../README.md must not serve the repository README');
  });

  test('an unknown /api path is a JSON 404, a wrong method a 405 with Allow', async () => {
    for (const [m, p] of [
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/nope'],
      ['GET', '/api/v2/positions'],
      ['GET', '/api/v1/positions/extra'],
      ['GET', '/api/'],
    ]) {
      const r = await request(m, p, { ip: freshIp() });
      assertError(r, 404, 'not_found', `${m} ${p}`);
    }
    const r = await get('/api/v1/auth/otp', { ip: freshIp() });
    assertError(r, 405, undefined, 'GET /api/v1/auth/otp');
    assert.match(String(r.headers.allow), /POST/, 'Allow names POST');
    for (const [m, p] of [['POST', '/api/v1/holdings'], ['DELETE', '/api/v1/orders'], ['PUT', '/api/v1/positions'], ['GET', '/api/v1/positions/square-off']]) {
      const x = await request(m, p, { ip: freshIp(), json: m === 'GET' ? undefined : {} });
      assertError(x, 405, undefined, `${m} ${p}`);
      assert.ok(x.headers.allow, `${m} ${p}: Allow header`);
    }
  });

  test('request bodies: above 64 KiB 413, malformed JSON 400 bad_json, wrong type 415', async () => {
    const ip = freshIp();
    // Exactly 64 KiB is still read (and then refused for its content); one byte more is 413.
    const prefix = '{"login":"';
    const suffix = '"}';
    const at = (n) => prefix + 'A'.repeat(n - prefix.length - suffix.length) + suffix;
    const exact = await post('/api/v1/auth/otp', { body: at(65536), headers: { 'Content-Type': 'application/json' }, ip });
    assert.notEqual(exact.status, 413, 'a body of exactly 64 KiB is not "above 64 KiB"');
    assertError(exact, 400, 'bad_request', '64 KiB body with an over-long login');
    const over = await post('/api/v1/auth/otp', { body: at(65537), headers: { 'Content-Type': 'application/json' }, ip });
    assertError(over, 413, undefined, '64 KiB + 1 body');
    const big = await post('/api/v1/auth/otp', { body: at(200 * 1024), headers: { 'Content-Type': 'application/json' }, ip });
    assertError(big, 413, undefined, '200 KiB body');
    // Without a Content-Length (chunked), the limit holds just the same.
    const chunked = await new Promise((resolve, reject) => {
      const u = new URL(env.url);
      const req = https.request(
        { host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/auth/otp', agent: false, rejectUnauthorized: false, localAddress: ip,
          headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode, text }));
        },
      );
      req.on('error', reject);
      const piece = 'A'.repeat(8192);
      req.write('{"login":"');
      for (let i = 0; i < 9; i++) req.write(piece);
      req.end('"}');
    });
    assert.equal(chunked.status, 413, `a chunked body above 64 KiB: ${chunked.status} ${chunked.text.slice(0, 200)}`);

    for (const body of ['{', '{"login":', 'not json', '{"login":"C1",}', '\u0000']) {
      const r = await post('/api/v1/auth/otp', { body, headers: { 'Content-Type': 'application/json' }, ip });
      assertError(r, 400, 'bad_json', `malformed JSON ${JSON.stringify(body)}`);
    }
    const deep = '{"login":' + '['.repeat(40) + ']'.repeat(40) + '}';
    assertError(await post('/api/v1/auth/otp', { body: deep, headers: { 'Content-Type': 'application/json' }, ip }), 400, 'bad_json', 'JSON nested 41 deep');
    for (const json of [[], 'C000001', { login: 5 }, { login: '' }, { user: 'C000001' }]) {
      const r = await post('/api/v1/auth/otp', { json, ip });
      assertError(r, 400, 'bad_request', `POST /auth/otp ${JSON.stringify(json)}`);
    }
    const login = await post('/api/v1/auth/login', { json: { challenge_id: 5 }, ip });
    assertError(login, 400, 'bad_request', 'POST /auth/login without otp');
    const text = await post('/api/v1/auth/otp', { body: '{"login":"x"}', headers: { 'Content-Type': 'text/plain' }, ip });
    assertError(text, 415, undefined, 'POST /auth/otp as text/plain');
    const none = await post('/api/v1/auth/otp', { body: '{"login":"x"}', ip });
    assertError(none, 415, undefined, 'POST /auth/otp without Content-Type');
    const headers = await get('/api/v1/status', { headers: { 'X-Padding': 'a'.repeat(10000) }, ip });
    assertError(headers, 431, undefined, 'a 10 KB request header');
  });
});

test('TLS: 1.2 and 1.3 only; TLS 1.2 with ECDHE and AES-GCM or ChaCha20 only', async () => {
  const u = new URL(env.url);
  const attempt = (opts) =>
    new Promise((resolve) => {
      const s = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, localAddress: freshIp(), ...opts }, () => {
        const r = { ok: true, protocol: s.getProtocol(), cipher: s.getCipher()?.name };
        s.end();
        resolve(r);
      });
      s.on('error', (e) => resolve({ ok: false, error: e.code || e.message }));
      s.setTimeout(5000, () => {
        s.destroy();
        resolve({ ok: false, error: 'timeout' });
      });
    });
  const t13 = await attempt({ minVersion: 'TLSv1.3' });
  assert.ok(t13.ok && t13.protocol === 'TLSv1.3', `TLS 1.3 works: ${JSON.stringify(t13)}`);
  const t12 = await attempt({ maxVersion: 'TLSv1.2' });
  assert.ok(t12.ok && t12.protocol === 'TLSv1.2', `TLS 1.2 works: ${JSON.stringify(t12)}`);
  assert.match(t12.cipher, /^ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/, `TLS 1.2 suite ${t12.cipher}`);
  for (const v of ['TLSv1', 'TLSv1.1']) {
    const r = await attempt({ minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.equal(r.ok, false, `${v} must be refused: ${JSON.stringify(r)}`);
  }
  for (const ciphers of [
    'AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA',
    'ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA256',
    'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384',
  ]) {
    const r = await attempt({ maxVersion: 'TLSv1.2', ciphers: `${ciphers}@SECLEVEL=0` });
    assert.equal(r.ok, false, `TLS 1.2 with ${ciphers} must be refused: ${JSON.stringify(r)}`);
  }
});

test('malformed HTTP gets a clear 400, not a crash or silence', async () => {
  const u = new URL(env.url);
  const raw = (text) =>
    new Promise((resolve) => {
      const s = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, localAddress: freshIp() }, () => s.write(text));
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
      s.setTimeout(5000, () => s.destroy());
    });
  for (const text of [
    'BLAH\r\n\r\n',
    'GET /api/v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    'GET /api/v1/status HTTP/1.1\r\nHost x\r\n\r\n',
    'GET /api/v1/status HTTP/9.9\r\nHost: x\r\n\r\n',
  ]) {
    const got = await raw(text);
    assert.match(got, /^HTTP\/1\.[01] (400|505) /, `${JSON.stringify(text)} answered: ${JSON.stringify(got.slice(0, 120))}`);
  }
  assert.equal((await get('/healthz')).status, 200, 'still alive');
});

// ====================================================================== login

// Requested first, checked at the very end: the active server runs with risk.otp_ttl_s =
// IRRA_OTP_TTL_S (30 s), so the whole suite runs while this OTP ages.
let expiring;
// Likewise a live stream of a client nothing happens to, watched until the end.
let quiet;
before(async () => {
  const inv = new Investor(roles.expire.ucc);
  const { challenge, otp, line } = await inv.requestOtp();
  expiring = { inv, challenge, otp, requestedAt: Date.now(), line };
  const q = new Investor(roles.pan.ucc);
  await q.login();
  quiet = { inv: q, stream: await q.openStream(), openedAt: Date.now() };
  // And connections that do nothing useful: the server must close them by its timeouts.
  const u = new URL(env.url);
  const watch = (sock, name) => {
    const w = { name, openedAt: Date.now(), closedAt: null, sock };
    sock.on('close', () => (w.closedAt = Date.now()));
    sock.on('error', () => {});
    return w;
  };
  idle = [];
  idle.push(watch(net.connect({ host: u.hostname, port: Number(u.port), localAddress: freshIp() }), 'TCP without a TLS handshake'));
  const tlsIdle = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, localAddress: freshIp() });
  idle.push(watch(tlsIdle, 'TLS without a request'));
  const dribble = tls.connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, localAddress: freshIp() }, () => {
    dribble.write('GET /api/v1/status HTTP/1.1\r\nHost: x\r\n');
  });
  idle.push(watch(dribble, 'a request header never finished'));
});
let idle = [];
after(() => idle.forEach((w) => w.sock.destroy()));
after(() => quiet?.stream?.close());

describe('investor login', () => {

  test('OTP for a UCC: 202 with the masked contacts, the OTP line in the notification file, then login', async () => {
    const c = roles.session;
    const inv = new Investor(c.ucc);
    const offset = notifyOffset();
    const r = await post('/api/v1/auth/otp', { json: { login: c.ucc }, ip: inv.ip });
    assert.equal(r.status, 202, r.text);
    assertKeys(r.json, ['challenge_id', 'sent_to'], 'OTP answer');
    assert.equal(typeof r.json.challenge_id, 'string');
    assert.ok(r.json.challenge_id.length >= 16, 'challenge_id is long enough to be unguessable');
    assert.deepEqual(Object.keys(r.json.sent_to).sort(), ['email', 'mobile']);
    assert.equal(r.json.sent_to.mobile, '******' + c.mobile.replace(/\D/g, '').slice(-4), 'mobile masked to its last 4 digits');
    assert.equal(r.json.sent_to.email, c.email[0] + '***' + c.email.slice(c.email.lastIndexOf('@')), 'email masked');
    assertNoStore(r, 'POST /auth/otp');

    const line = await waitForOtpLine(c.ucc, offset);
    assertKeys(line, ['type', 'ucc', 'mobile', 'email', 'otp', 'expires_at', 'event_id'], 'OTP notification');
    assert.equal(line.type, 'otp');
    assert.equal(line.mobile, c.mobile);
    assert.equal(line.email, c.email);
    assert.match(String(line.otp), /^\d{6}$/, 'the OTP is 6 digits');
    assertTime(line.expires_at, 'OTP expires_at');
    const ttl = (Date.parse(line.expires_at) - Date.now()) / 1000;
    assert.ok(Math.abs(ttl - env.otpTtlS) < 10, `the OTP lives risk.otp_ttl_s (${env.otpTtlS} s): ${ttl.toFixed(1)} s left`);

    const ok = await inv.submitOtp(r.json.challenge_id, String(line.otp));
    assert.equal(ok.status, 200, ok.text);
    assertKeys(ok.json, ['client', 'csrf_token'], 'login answer');
    assert.deepEqual({ ucc: ok.json.client.ucc, name: ok.json.client.name }, { ucc: c.ucc, name: c.name });
    assert.equal(typeof ok.json.csrf_token, 'string');
    assert.ok(ok.json.csrf_token.length >= 16, 'CSRF token long enough');
    assertNoStore(ok, 'POST /auth/login');

    const cookies = setCookies(ok).filter((x) => x.name === SESSION_COOKIE);
    assert.equal(cookies.length, 1, `one ${SESSION_COOKIE} cookie: ${JSON.stringify(ok.headers['set-cookie'])}`);
    const [cookie] = cookies;
    assert.ok(cookie.value.length >= 22, 'the session token carries at least 128 bits');
    assert.equal(cookie.attrs.secure, true, 'Secure');
    assert.equal(cookie.attrs.httponly, true, 'HttpOnly');
    assert.equal(String(cookie.attrs.samesite).toLowerCase(), 'strict', 'SameSite=Strict');
    assert.equal(cookie.attrs.path, '/', 'Path=/');
    assert.ok(!('domain' in cookie.attrs), '__Host- cookies have no Domain');
    assert.ok(!ok.text.includes(cookie.value), 'the session token is not in the body');
  });

  test('GET /session: 200 with client, csrf_token and expiry times; logout needs CSRF; then 401', async () => {
    const c = roles.session;
    const inv = new Investor(c.ucc);
    await inv.login();
    const s = await inv.get('/api/v1/session');
    assert.equal(s.status, 200, s.text);
    assertKeys(s.json, ['client', 'csrf_token', 'idle_expires_at', 'expires_at'], '/session');
    assert.equal(s.json.client.ucc, c.ucc);
    assert.equal(s.json.client.name, c.name);
    assert.equal(s.json.csrf_token, inv.csrf, 'the same CSRF token as the login gave');
    assertTime(s.json.idle_expires_at, 'idle_expires_at');
    assertTime(s.json.expires_at, 'expires_at');
    const idle = (Date.parse(s.json.idle_expires_at) - Date.now()) / 60000;
    const abs = (Date.parse(s.json.expires_at) - Date.now()) / 3600000;
    assert.ok(idle > 29 && idle <= 30.1, `30 minutes idle expiry (${idle.toFixed(2)} min)`);
    assert.ok(abs > 11.9 && abs <= 12.01, `12 hours absolute expiry (${abs.toFixed(2)} h)`);
    assertNoStore(s, '/session');
    // Idle expiry slides with activity; the absolute one does not.
    await sleep(1100);
    const s2 = await inv.get('/api/v1/session');
    assert.ok(Date.parse(s2.json.idle_expires_at) > Date.parse(s.json.idle_expires_at), 'activity moves idle_expires_at on');
    assert.equal(s2.json.expires_at, s.json.expires_at, 'expires_at stays');

    // A second login is a new session with a new token and a new CSRF token.
    const second = new Investor(c.ucc);
    await second.login();
    assert.notEqual(second.cookie, inv.cookie, 'a new token at login');
    assert.notEqual(second.csrf, inv.csrf, 'a new CSRF token at login');
    assert.equal((await second.get('/api/v1/session')).json.csrf_token, second.csrf);

    // Logout without, then with a wrong CSRF token: refused, the session lives on.
    assertError(await post('/api/v1/auth/logout', { cookie: inv.cookie, ip: inv.ip }), 403, 'csrf', 'logout without X-CSRF-Token');
    assertError(await post('/api/v1/auth/logout', { cookie: inv.cookie, csrf: second.csrf, ip: inv.ip }), 403, 'csrf', "logout with another session's CSRF token");
    assert.equal((await inv.get('/api/v1/session')).status, 200, 'still logged in after refused logouts');

    const out = await post('/api/v1/auth/logout', { cookie: inv.cookie, csrf: inv.csrf, ip: inv.ip });
    assert.equal(out.status, 204, out.text);
    assert.equal(out.text, '');
    const cleared = setCookies(out).find((x) => x.name === SESSION_COOKIE);
    assert.ok(cleared && (cleared.value === '' || cleared.attrs['max-age'] === '0'), 'logout clears the cookie');
    assertError(await inv.get('/api/v1/session'), 401, 'unauthorized', '/session after logout');
    assertError(await inv.get('/api/v1/positions'), 401, 'unauthorized', '/positions after logout');
    // The other session is untouched.
    assert.equal((await second.get('/api/v1/session')).status, 200, 'logout ends only its own session');
  });

  test('OTP by PAN, in any letter case and with spaces, logs in the PAN owner', async () => {
    const c = roles.pan;
    const inv = new Investor(c.ucc);
    const mixed = `  ${c.pan.toLowerCase().slice(0, 5)}${c.pan.slice(5)} `;
    await inv.login(mixed);
    assert.equal(inv.loginBody.client.ucc, c.ucc);
    assert.equal((await inv.get('/api/v1/session')).json.client.ucc, c.ucc);
    // And the UCC in lower case too.
    const again = new Investor(c.ucc);
    await again.login(c.ucc.toLowerCase());
    assert.equal(again.loginBody.client.ucc, c.ucc);
  });

  test('unknown and ineligible logins get the same 202 shape and no OTP is written', async () => {
    const known = await post('/api/v1/auth/otp', { json: { login: roles.reuse.ucc }, ip: freshIp() });
    assert.equal(known.status, 202);
    const shape = (j) => ({
      keys: Object.keys(j).sort().join(','),
      sent: Object.keys(j.sent_to).sort().join(','),
      id: `${typeof j.challenge_id}:${j.challenge_id.length}:${/^[A-Za-z0-9_-]+$/.test(j.challenge_id)}`,
      mobile: /^\*{6}\d{4}$/.test(j.sent_to.mobile),
      email: /^[^*@]\*\*\*@[^@]+\.[a-z]+$/.test(j.sent_to.email),
    });
    const ineligible = roles.ineligible;
    const offset = notifyOffset();
    const answers = [];
    for (const login of ['ZZ99999999', 'AAAAA9999A', ineligible.ucc, ineligible.pan, 'c000000', 'X']) {
      const r = await post('/api/v1/auth/otp', { json: { login }, ip: freshIp() });
      assert.equal(r.status, 202, `${login}: ${r.status} ${r.text}`);
      assert.deepEqual(shape(r.json), shape(known.json), `${login}: the same answer shape as a real account`);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      answers.push({ login, r });
    }
    // The ineligible client's real contacts are not disclosed.
    const ine = answers.find((a) => a.login === ineligible.ucc).r.json.sent_to;
    const realMobile = '******' + ineligible.mobile.replace(/\D/g, '').slice(-4);
    const realEmail = ineligible.email[0] + '***' + ineligible.email.slice(ineligible.email.lastIndexOf('@'));
    assert.ok(!(ine.mobile === realMobile && ine.email === realEmail), 'an ineligible account does not show its real masked contacts');
    // The same unknown login gets the same masks again (a stable answer reveals nothing).
    const again = await post('/api/v1/auth/otp', { json: { login: 'ZZ99999999' }, ip: freshIp() });
    assert.deepEqual(again.json.sent_to, answers[0].r.json.sent_to, 'stable masks for the same unknown login');
    // A wrong code on such a challenge answers exactly like a real one.
    // (The repeated request replaced the first challenge: the newest one is live.)
    const wrong = await post('/api/v1/auth/login', { json: { challenge_id: again.json.challenge_id, otp: '123456' }, ip: freshIp() });
    assertError(wrong, 401, 'invalid_otp', 'wrong code on an unknown login');
    assert.equal(wrong.json.tries_left, 4);

    // Barrier: a real OTP after them; everything written before it must be that one only.
    const barrier = new Investor(roles.reuse.ucc);
    await barrier.requestOtp();
    await sleep(300);
    const lines = notifyLinesSince(offset);
    const others = lines.filter((m) => m.ucc !== roles.reuse.ucc);
    assert.deepEqual(others, [], 'no notification for unknown or ineligible logins');
    assert.ok(!JSON.stringify(lines).includes(ineligible.mobile), 'the ineligible client was not contacted');
  });

  test('a wrong OTP is 401 with tries_left; the 5th wrong try burns the challenge (429), even the right code then fails', async () => {
    const inv = new Investor(roles.burn.ucc);
    const { challenge, otp } = await inv.requestOtp();
    const wrongCode = otp === '000000' ? '111111' : '000000';
    for (const left of [4, 3, 2, 1]) {
      const r = await inv.submitOtp(challenge, wrongCode);
      assertError(r, 401, 'invalid_otp', `wrong OTP (${left} left)`);
      assert.equal(r.json.tries_left, left, 'tries_left counts down');
      assertNoStore(r, 'wrong OTP');
      assert.equal(setCookies(r).length, 0, 'no cookie on a failed login');
    }
    const fifth = await inv.submitOtp(challenge, wrongCode);
    assertError(fifth, 429, 'too_many_attempts', '5th wrong OTP');
    const right = await inv.submitOtp(challenge, otp);
    assertError(right, 401, undefined, 'the right code on a burnt challenge');
    assert.equal(setCookies(right).length, 0, 'no session from a burnt challenge');
    // Malformed codes are wrong codes (and use tries); the right one still works after four.
    const fresh = await inv.requestOtp();
    for (const bad of ['', '12345', '1234567', ` ${fresh.otp}`]) {
      const r = await inv.submitOtp(fresh.challenge, bad);
      assertError(r, 401, 'invalid_otp', `OTP ${JSON.stringify(bad)}`);
    }
    const ok = await inv.submitOtp(fresh.challenge, fresh.otp);
    assert.equal(ok.status, 200, `the right code after four wrong ones: ${ok.text}`);
  });

  test('an OTP works once: the used challenge then answers 401', async () => {
    const inv = new Investor(roles.reuse.ucc);
    const { challenge, otp } = await inv.requestOtp();
    const first = await inv.submitOtp(challenge, otp);
    assert.equal(first.status, 200, first.text);
    const second = await inv.submitOtp(challenge, otp);
    assertError(second, 401, 'otp_expired', 'the same OTP again');
    assert.equal(setCookies(second).length, 0);
    const bogus = await inv.submitOtp('no-such-challenge', otp);
    assertError(bogus, 401, 'otp_expired', 'an unknown challenge');
    // An OTP is bound to its challenge: another client's live challenge does not take it.
    const mine = await inv.requestOtp();
    const theirs = await new Investor(roles.burn.ucc).requestOtp();
    if (mine.otp !== theirs.otp) {
      const crossed = await inv.submitOtp(theirs.challenge, mine.otp);
      assertError(crossed, 401, 'invalid_otp', "an OTP used with another client's challenge");
    }
    const own = await inv.submitOtp(mine.challenge, mine.otp);
    assert.equal(own.status, 200, 'the OTP with its own challenge');
    assert.equal(own.json.client.ucc, roles.reuse.ucc);
  });

  test('OTP requests are rate limited per login (UCC and PAN together): 429 with Retry-After', async () => {
    const c = roles.ratelimit;
    const offset = notifyOffset();
    // Each from a different address: the limit is the login's, not the address's.
    for (const login of [c.ucc, c.pan, c.ucc.toLowerCase(), c.pan, c.ucc]) {
      const r = await post('/api/v1/auth/otp', { json: { login }, ip: freshIp() });
      assert.equal(r.status, 202, `request with ${login}: ${r.status} ${r.text}`);
    }
    await waitForOtpLine(c.ucc, offset);
    const sixth = await post('/api/v1/auth/otp', { json: { login: c.pan }, ip: freshIp() });
    assertError(sixth, 429, 'rate_limited', '6th OTP request for one account');
    const retry = Number(sixth.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 900, `Retry-After in seconds: ${sixth.headers['retry-after']}`);
    const seventh = await post('/api/v1/auth/otp', { json: { login: c.ucc }, ip: freshIp() });
    assertError(seventh, 429, 'rate_limited', '7th, by UCC');
    await sleep(300);
    const sent = notifyLinesSince(offset).filter((m) => m.ucc === c.ucc);
    assert.equal(sent.length, 5, 'five OTPs sent, none for the refused requests');
  });

  test('OTP requests are rate limited per IP address', async () => {
    const ip = freshIp();
    let refused = null;
    let n = 0;
    for (; n < 70 && !refused; n++) {
      const r = await post('/api/v1/auth/otp', { json: { login: `NOBODY${n}X` }, ip });
      if (r.status === 429) refused = r;
      else assert.equal(r.status, 202, r.text);
    }
    assert.ok(refused, 'the address is refused after many OTP requests');
    assertError(refused, 429, 'rate_limited', 'OTP requests from one address');
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');
    assert.ok(n - 1 >= 10, `not refused too early (${n - 1} allowed)`);
    // Another address is not affected.
    assert.equal((await post('/api/v1/auth/otp', { json: { login: 'NOBODY0X' }, ip: freshIp() })).status, 202);
  });

  test('login attempts are rate limited per IP address', async () => {
    const ip = freshIp();
    let refused = null;
    let n = 0;
    for (; n < 70 && !refused; n++) {
      const r = await post('/api/v1/auth/login', { json: { challenge_id: `guess-${n}`, otp: '123456' }, ip });
      if (r.status === 429) refused = r;
      else assertError(r, 401, undefined, `login attempt ${n}`);
    }
    assert.ok(refused, 'the address is refused after many login attempts');
    assertError(refused, 429, 'rate_limited', 'login attempts from one address');
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After');
    assert.ok(n - 1 >= 10, `not refused too early (${n - 1} allowed)`);
  });

  test('every investor endpoint is 401 without a session (never 403), and with a made-up cookie', async () => {
    const calls = [
      ['GET', '/api/v1/session'],
      ['GET', '/api/v1/positions'],
      ['GET', '/api/v1/orders'],
      ['GET', '/api/v1/trades'],
      ['GET', '/api/v1/holdings'],
      ['GET', '/api/v1/funds'],
      ['GET', '/api/v1/stream'],
      ['POST', '/api/v1/positions/square-off'],
      ['POST', '/api/v1/positions/square-off-all'],
      ['POST', '/api/v1/orders/X1/cancel'],
    ];
    const ip = freshIp();
    for (const [m, p] of calls) {
      for (const cookie of [undefined, `${SESSION_COOKIE}=${crypto.randomBytes(16).toString('base64url')}`, `irra_session=x`]) {
        const r = await request(m, p, { ip, cookie, csrf: 'x', json: m === 'POST' ? {} : undefined });
        assertError(r, 401, 'unauthorized', `${m} ${p} with cookie ${cookie}`);
        assertNoStore(r, `${m} ${p}`);
      }
    }
  });

});

// ====================================================================== books

describe('books', () => {
  test('positions, orders, trades, holdings and funds have the contract shapes', async () => {
    for (const role of ['partial', 'all']) {
      const c = roles[role];
      const inv = new Investor(c.ucc);
      await inv.login();
      const mirror = (await ctl('positions', c.ucc)).items;
      for (const what of ['positions', 'orders', 'trades', 'holdings']) {
        const r = await inv.get(`/api/v1/${what}`);
        assert.equal(r.status, 200, `${what}: ${r.text}`);
        assert.match(String(r.headers['content-type']), /^application\/json/);
        assertNoStore(r, `/${what}`);
        assertNoLongDecimals(r.text, `/${what}`);
        assert.ok(Array.isArray(r.json), `/${what} is a JSON array`);
      }
      const positions = await inv.list('positions');
      assert.ok(positions.length > 0, `${c.ucc} has positions`);
      positions.forEach((p, i) => assertPosition(p, `${c.ucc} positions[${i}]`));
      // Exactly the server's mirror for this client (ctl shows the REST fields plus ucc).
      const open = positions.filter((p) => p.net_qty !== 0).map((p) => `${p.instrument}|${p.product}|${p.net_qty}`).sort();
      const want = mirror.filter((p) => p.ucc === c.ucc && p.net_qty !== 0).map((p) => `${p.instrument}|${p.product}|${p.net_qty}`).sort();
      assert.deepEqual(open, want, 'the API shows exactly the client\'s positions');
      for (const p of positions) {
        const m = mirror.find((x) => x.instrument === p.instrument && x.product === p.product);
        if (!m) continue;
        for (const k of ['squareoff_qty', 'pending_exit_qty', 'lot_size', 'tick_size', 'freeze_qty', 'lower_band', 'upper_band', 'avg_price']) {
          assert.equal(p[k], m[k], `${p.instrument} ${k} as in the mirror`);
        }
        assert.equal(p.squareoff_qty, Math.abs(p.net_qty) - p.pending_exit_qty, `${p.instrument}: squareoff_qty = |net_qty| - pending_exit_qty`);
      }
      (await inv.list('orders')).forEach((o, i) => assertOrder(o, `${c.ucc} orders[${i}]`));
      (await inv.list('trades')).forEach((t, i) => assertTrade(t, `${c.ucc} trades[${i}]`));
      const holdings = await inv.list('holdings');
      for (const [i, h] of holdings.entries()) {
        assert.ok(typeof (h.instrument ?? h.instrument_id) === 'string', `holdings[${i}] names its instrument`);
        assertQty(h.qty, `holdings[${i}].qty`);
        assertPrice(h.avg_price, `holdings[${i}].avg_price`);
        if ('ltp' in h) assertPrice(h.ltp, `holdings[${i}].ltp`, { nullable: true });
      }
      const f = await inv.get('/api/v1/funds');
      assert.equal(f.status, 200);
      assertNoStore(f, '/funds');
      assertNoLongDecimals(f.text, '/funds');
      assert.ok(f.json && typeof f.json === 'object' && !Array.isArray(f.json), '/funds is one object');
      for (const k of ['opening_balance', 'margin_used', 'collateral']) {
        assert.ok(k in f.json, `/funds has ${k}`);
        assertPrice(f.json[k], `/funds.${k}`, { nullable: true });
      }
      if (env.dumpDir) {
        const { parseCsv } = await import('./csv.mjs');
        const dumpHoldings = parseCsv(fs.readFileSync(path.join(env.dumpDir, 'holdings.csv'), 'utf8')).filter((r) => r.ucc === c.ucc);
        assert.deepEqual(
          holdings.map((h) => `${h.instrument ?? h.instrument_id}|${h.qty}|${toPaise(h.avg_price)}`).sort(),
          dumpHoldings.map((h) => `${h.instrument_id}|${Number(h.qty)}|${toPaise(Number(h.avg_price))}`).sort(),
          '/holdings is the dump\'s holdings of the client',
        );
        const dumpFunds = parseCsv(fs.readFileSync(path.join(env.dumpDir, 'funds.csv'), 'utf8')).find((r) => r.ucc === c.ucc);
        if (dumpFunds) {
          for (const k of ['opening_balance', 'margin_used', 'collateral']) {
            assert.equal(toPaise(f.json[k]), toPaise(Number(dumpFunds[k])), `/funds.${k} as in the dump`);
          }
        }
      }
    }
  });
});

// ====================================================================== orders

describe('square-off, square-off-all and cancel', () => {
  test('a partial square-off is accepted (202), sent, filled, and net_qty moves by exactly that', async () => {
    const c = roles.partial;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    assertPosition(p0);
    const lot = lotOf(p0);
    assert.ok(p0.squareoff_qty >= 2 * lot, 'room for a partial square-off');
    const before = await exchangeCounts();
    const r = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: lot, order_type: 'MARKET' });
    assert.equal(r.status, 202, r.text);
    assertNoStore(r, 'square-off');
    assertNoLongDecimals(r.text, 'square-off answer');
    assertKeys(r.json, ['orders'], 'square-off answer');
    assert.equal(r.json.orders.length, 1, 'one slice');
    const [o] = r.json.orders;
    assertOrder(o, 'square-off order');
    assert.equal(o.instrument, p0.instrument);
    assert.equal(o.product, p0.product);
    assert.equal(o.side, exitSide(p0));
    assert.equal(o.qty, lot);
    assert.equal(o.source, 'backup');
    assert.equal(o.status, 'PENDING', 'PENDING until the exchange acknowledges it');

    const filled = await inv.waitOrder(o.order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
    assertOrder(filled);
    assert.equal(filled.filled_qty, lot);
    assert.ok(filled.exchange_order_id, 'the exchange order id is known once acknowledged');
    assert.ok(Date.parse(filled.updated_at) >= Date.parse(filled.placed_at), 'updated_at >= placed_at');
    const p1 = await inv.waitPosition(p0.instrument, p0.product, (x) => x.net_qty === p0.net_qty + delta(p0, lot), 'moved by the fill', FILL_MS);
    assertPosition(p1);
    assert.equal(p1.pending_exit_qty, 0);
    assert.equal(p1.squareoff_qty, p0.squareoff_qty - lot);
    const trades = (await inv.list('trades')).filter((t) => t.order_id === o.order_id);
    assert.ok(trades.length >= 1, 'the fill is in the trade book');
    trades.forEach((t) => assertTrade(t));
    assert.equal(trades.reduce((s, t) => s + t.qty, 0), lot, 'trades add up to the order');
    assert.ok(trades.every((t) => t.side === exitSide(p0) && t.instrument === p0.instrument));
    await assertExchangeGot(before, { orders: 1 }, 'partial square-off');
    roles.partial.filledOrderId = o.order_id;
    roles.partial.inv = inv;
  });

  test('cancelling a filled order is 409 not_cancellable', async () => {
    const { inv, filledOrderId } = roles.partial;
    assert.ok(filledOrderId, 'needs the previous test\'s filled order');
    const r = await inv.post(`/api/v1/orders/${encodeURIComponent(filledOrderId)}/cancel`, {});
    assertError(r, 409, 'not_cancellable', 'cancel a FILLED order');
  });

  test('over-square-off is 422 increases_risk and nothing is sent; no qty then squares off everything', async () => {
    const c = roles.over;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    const lot = lotOf(p0);
    const before = await exchangeCounts();
    for (const qty of [p0.squareoff_qty + lot, Math.abs(p0.net_qty) * 2 + lot * 10]) {
      const r = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty });
      assertError(r, 422, 'increases_risk', `square-off of ${qty} with ${p0.squareoff_qty} open`);
    }
    await assertExchangeGot(before, {}, 'refused square-offs');
    assert.deepEqual(await inv.list('orders'), [], 'no order was made');
    const same = await inv.position(p0.instrument, p0.product);
    assert.equal(same.net_qty, p0.net_qty);
    assert.equal(same.pending_exit_qty, 0);

    // Missing qty: all that may be squared off.
    const r = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product });
    assert.equal(r.status, 202, r.text);
    const total = r.json.orders.reduce((s, o) => s + o.qty, 0);
    assert.equal(total, p0.squareoff_qty, 'missing qty squares off everything');
    r.json.orders.forEach((o) => assert.ok(o.qty <= p0.freeze_qty, 'each slice within the freeze quantity'));
    for (const o of r.json.orders) await inv.waitOrder(o.order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
    const flat = await inv.waitPosition(p0.instrument, p0.product, (x) => x.net_qty === 0, 'flat', FILL_MS);
    assert.equal(flat.squareoff_qty, 0);
    // Nothing left: a further square-off is refused.
    const more = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product });
    assertError(more, 422, 'no_position', 'square-off of a flat position');
    const more2 = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: lot });
    assertError(more2, 422, 'no_position', 'square-off of a flat position with a qty');
  });

  test('two concurrent square-offs of the whole quantity: exactly one accepted, one order sent', async () => {
    const c = roles.race;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    const before = await exchangeCounts();
    const body = { instrument: p0.instrument, product: p0.product, qty: p0.squareoff_qty };
    const answers = await Promise.all([inv.post('/api/v1/positions/square-off', body), inv.post('/api/v1/positions/square-off', body)]);
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [202, 422], `one 202 and one 422: ${answers.map((a) => a.text).join(' | ')}`);
    const refused = answers.find((a) => a.status === 422);
    assertError(refused, 422, 'increases_risk', 'the second concurrent square-off');
    const orders = await inv.list('orders');
    assert.equal(orders.length, 1, 'one order only');
    await assertExchangeGot(before, { orders: 1 }, 'concurrent square-offs');
    await inv.waitPosition(p0.instrument, p0.product, (x) => x.net_qty === 0, 'flat', FILL_MS);
  });

  test('the same Idempotency-Key twice gives the identical answer and one order only', async () => {
    const c = roles.idem;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    const lot = lotOf(p0);
    const body = { instrument: p0.instrument, product: p0.product, qty: lot, order_type: 'MARKET' };
    const before = await exchangeCounts();
    const key = crypto.randomUUID();
    const first = await inv.post('/api/v1/positions/square-off', body, { headers: { 'Idempotency-Key': key } });
    assert.equal(first.status, 202, first.text);
    await inv.waitOrder(first.json.orders[0].order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
    const second = await inv.post('/api/v1/positions/square-off', body, { headers: { 'Idempotency-Key': key } });
    assert.equal(second.status, 202, second.text);
    assert.equal(second.text, first.text, 'the replay is the first answer, byte for byte');
    assert.equal((await inv.list('orders')).length, 1, 'one order only');
    await assertExchangeGot(before, { orders: 1 }, 'sequential replay');

    // Concurrently, with a new key: one order, two identical answers.
    const key2 = crypto.randomUUID();
    const both = await Promise.all([
      inv.post('/api/v1/positions/square-off', body, { headers: { 'Idempotency-Key': key2 } }),
      inv.post('/api/v1/positions/square-off', body, { headers: { 'Idempotency-Key': key2 } }),
    ]);
    assert.deepEqual(both.map((b) => b.status), [202, 202], both.map((b) => b.text).join(' | '));
    assert.deepEqual(both[0].json, both[1].json, 'concurrent replays get the same answer');
    assert.equal((await inv.list('orders')).length, 2, 'one more order only');
    await assertExchangeGot(before, { orders: 2 }, 'concurrent replay');
    for (const o of await inv.list('orders')) await inv.waitOrder(o.order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
    const p1 = await inv.waitPosition(p0.instrument, p0.product, (x) => x.net_qty === p0.net_qty + delta(p0, 2 * lot), 'two lots less', FILL_MS);
    assert.equal(p1.pending_exit_qty, 0);

    // A key is the client's own: another client sending it gets its own answer, never this one.
    const stranger = new Investor(roles.other.ucc);
    await stranger.login();
    const theirs = await stranger.post('/api/v1/positions/square-off', body, { headers: { 'Idempotency-Key': key } });
    assertError(theirs, 422, 'no_position', "another client replaying this client's Idempotency-Key");
    assert.ok(!theirs.text.includes(first.json.orders[0].order_id), "another client's answer is not replayed");

    // The same key for a different request is refused, and nothing is sent.
    const changed = await inv.post('/api/v1/positions/square-off', { ...body, qty: 2 * lot }, { headers: { 'Idempotency-Key': key } });
    assertError(changed, 422, 'idempotency_key_reused', 'the same key with another quantity');
    const changedAll = await inv.post('/api/v1/positions/square-off-all', {}, { headers: { 'Idempotency-Key': key } });
    assertError(changedAll, 422, 'idempotency_key_reused', 'the same key for square-off-all');
    await assertExchangeGot(before, { orders: 2 }, 'reused key');

    // A malformed key is refused before anything happens.
    const bad = await inv.post('/api/v1/positions/square-off', body, { headers: { 'Idempotency-Key': 'k'.repeat(129) } });
    assertError(bad, 400, 'bad_request', 'a 129-character Idempotency-Key');
    await assertExchangeGot(before, { orders: 2 }, 'malformed key');
  });

  test('a square-off above the freeze quantity is sent in slices, one order object per slice', async () => {
    const c = roles.slices;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    assert.ok(p0.squareoff_qty > p0.freeze_qty, `above the freeze quantity: ${p0.squareoff_qty} > ${p0.freeze_qty}`);
    const before = await exchangeCounts();
    const r = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: p0.squareoff_qty });
    assert.equal(r.status, 202, r.text);
    const slices = r.json.orders;
    assert.equal(slices.length, Math.ceil(p0.squareoff_qty / p0.freeze_qty), 'the fewest slices');
    slices.forEach((o, i) => {
      assertOrder(o, `slice ${i}`);
      assert.ok(o.qty > 0 && o.qty <= p0.freeze_qty, `slice ${i}: ${o.qty} within the freeze quantity ${p0.freeze_qty}`);
      assert.equal(o.qty % lotOf(p0), 0, `slice ${i}: whole lots`);
      assert.equal(o.side, exitSide(p0));
    });
    assert.equal(slices.reduce((s, o) => s + o.qty, 0), p0.squareoff_qty, 'the slices add up to the request');
    assert.equal(new Set(slices.map((o) => o.order_id)).size, slices.length, 'distinct order ids');
    for (const o of slices) await inv.waitOrder(o.order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
    await inv.waitPosition(p0.instrument, p0.product, (x) => x.net_qty === p0.net_qty + delta(p0, p0.squareoff_qty), 'squared off', FILL_MS);
    await assertExchangeGot(before, { orders: slices.length }, 'sliced square-off');
  });

  test('F&O quantities must be whole lots: 422 not_lot_multiple', async () => {
    const c = roles.fo;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p = await inv.position(c.position.instrument, c.position.product);
    assert.ok(p.lot_size > 1, 'an F&O position');
    const before = await exchangeCounts();
    for (const qty of [1, p.lot_size - 1, p.lot_size + 1]) {
      if (qty <= 0 || qty > p.squareoff_qty) continue;
      const r = await inv.post('/api/v1/positions/square-off', { instrument: p.instrument, product: p.product, qty });
      assertError(r, 422, 'not_lot_multiple', `F&O square-off of ${qty} (lot ${p.lot_size})`);
    }
    await assertExchangeGot(before, {}, 'part-lot square-offs');
    assert.deepEqual(await inv.list('orders'), []);
  });

  test('request checks: invalid quantity/price, off_tick, outside_band, no_position, bad fields', async () => {
    const c = roles.limit;
    const inv = new Investor(c.ucc);
    await inv.login();
    const held = await inv.list('positions');
    const p = held.find((x) => x.instrument === c.position.instrument && x.product === c.position.product);
    const lot = lotOf(p);
    const base = { instrument: p.instrument, product: p.product, qty: lot };
    const tick = toPaise(p.tick_size);
    const rest = restingPrice(p);
    assert.ok(rest !== null, 'a resting price exists');
    const before = await exchangeCounts();
    const cases = [
      [{ ...base, qty: 0 }, 422, 'invalid_quantity'],
      [{ ...base, qty: -lot }, 422, 'invalid_quantity'],
      [{ ...base, qty: 1.5 }, 422, 'invalid_quantity'],
      [{ ...base, qty: String(lot) }, 422, 'invalid_quantity'],
      [{ ...base, order_type: 'LIMIT' }, 422, 'invalid_price'],
      [{ ...base, order_type: 'LIMIT', price: -rest }, 422, 'invalid_price'],
      [{ ...base, order_type: 'LIMIT', price: 0 }, 422, 'invalid_price'],
      [{ ...base, order_type: 'LIMIT', price: rest + 0.001 }, 422, 'invalid_price'],
      [{ ...base, order_type: 'LIMIT', price: String(rest) }, 422, 'invalid_price'],
      [{ ...base, order_type: 'LIMIT', price: toRupees(toPaise(rest) + 1) }, 422, 'off_tick'],
      [{ ...base, order_type: 'LIMIT', price: toRupees((Math.floor(toPaise(p.upper_band) / tick) + 2) * tick) }, 422, 'outside_band'],
      ...((Math.ceil(toPaise(p.lower_band) / tick) - 2) * tick > 0
        ? [[{ ...base, order_type: 'LIMIT', price: toRupees((Math.ceil(toPaise(p.lower_band) / tick) - 2) * tick) }, 422, 'outside_band']]
        : []),
      [{ ...base, instrument: c.not_held.instrument, product: c.not_held.product }, 422, 'no_position'],
      [{ ...base, product: ['MIS', 'NRML', 'CNC', 'MTF'].find((pr) => !held.some((x) => x.instrument === p.instrument && x.product === pr && x.net_qty !== 0)) }, 422, 'no_position'],
      [{ ...base, instrument: 'NSE:NOSUCHTHING' }, 422, ['no_position', 'unknown_instrument']],
      [{ ...base, product: 'XYZ' }, 400, 'bad_request'],
      [{ ...base, product: undefined }, 400, 'bad_request'],
      [{ ...base, instrument: undefined }, 400, 'bad_request'],
      [{ ...base, instrument: 7 }, 400, 'bad_request'],
      [{ ...base, order_type: 'STOP' }, 400, 'bad_request'],
    ];
    for (const [body, status, code] of cases) {
      const r = await inv.post('/api/v1/positions/square-off', body);
      if (Array.isArray(code)) {
        assertError(r, status, undefined, JSON.stringify(body));
        assert.ok(code.includes(r.json.error), `${JSON.stringify(body)}: one of ${code}, got ${r.json.error}`);
      } else {
        assertError(r, status, code, JSON.stringify(body));
      }
    }
    for (const raw of ['[]', '"x"', '{"instrument":']) {
      const r = await inv.post('/api/v1/positions/square-off', undefined, { body: raw, headers: { 'Content-Type': 'application/json' } });
      assertError(r, 400, undefined, `square-off body ${raw}`);
    }
    assertError(
      await inv.post('/api/v1/positions/square-off', undefined, { body: JSON.stringify(base), headers: { 'Content-Type': 'text/plain' } }),
      415,
      undefined,
      'square-off as text/plain',
    );
    assertError(
      await inv.post('/api/v1/positions/square-off', undefined, { body: '{"x":"' + 'a'.repeat(70000) + '"}', headers: { 'Content-Type': 'application/json' } }),
      413,
      undefined,
      'square-off body above 64 KiB',
    );
    await assertExchangeGot(before, {}, 'refused requests');
    assert.deepEqual(await inv.list('orders'), [], 'no order from refused requests');
  });

  test('a resting LIMIT square-off: pending_exit_qty; another client cannot cancel it (404); its owner can (202); then 409', async () => {
    const c = roles.limit;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    const lot = lotOf(p0);
    const price = restingPrice(p0);
    const before = await exchangeCounts();
    const r = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: lot, order_type: 'LIMIT', price });
    assert.equal(r.status, 202, r.text);
    const [o] = r.json.orders;
    assertOrder(o);
    assert.equal(o.order_type, 'LIMIT');
    assert.equal(toPaise(o.price), toPaise(price), 'the limit price as asked');
    const open = await inv.waitOrder(o.order_id, (x) => x.status === 'OPEN', 'OPEN', FILL_MS);
    assert.ok(open.exchange_order_id, 'acknowledged by the exchange');
    const p1 = await inv.position(p0.instrument, p0.product);
    assert.equal(p1.net_qty, p0.net_qty, 'nothing filled');
    assert.equal(p1.pending_exit_qty, lot, 'pending_exit_qty counts the resting exit');
    assert.equal(p1.squareoff_qty, p0.squareoff_qty - lot, 'squareoff_qty leaves it out');
    // More than what is left is now refused, counting the pending exit.
    assertError(
      await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: p1.squareoff_qty + lot }),
      422,
      'increases_risk',
      'square-off above squareoff_qty while an exit rests',
    );

    // Another client: 404, and the order is untouched.
    const other = new Investor(roles.other.ucc);
    await other.login();
    const foreign = await other.post(`/api/v1/orders/${encodeURIComponent(o.order_id)}/cancel`, {});
    assertError(foreign, 404, 'not_found', "cancel of another client's order");
    const unknown = await other.post('/api/v1/orders/NO-SUCH-ORDER/cancel', {});
    assertError(unknown, 404, 'not_found', 'cancel of an unknown order');
    assert.equal(foreign.json.error, unknown.json.error, 'the same answer as for an order that does not exist');
    assertError(await inv.post(`/api/v1/orders/${'9'.repeat(80)}/cancel`, {}), 404, 'not_found', 'cancel of an over-long id');
    assert.equal((await inv.order(o.order_id)).status, 'OPEN');
    assert.equal((await other.list('orders')).find((x) => x.order_id === o.order_id), undefined, "the other client does not see it");
    await assertExchangeGot(before, { orders: 1 }, 'foreign cancel');

    const cancel = await inv.post(`/api/v1/orders/${encodeURIComponent(o.order_id)}/cancel`, {});
    assert.equal(cancel.status, 202, cancel.text);
    assertNoStore(cancel, 'cancel');
    const answered = cancel.json?.order ?? cancel.json;
    assert.equal(answered?.order_id, o.order_id, `the cancel answer names the order: ${cancel.text}`);
    const done = await inv.waitOrder(o.order_id, (x) => x.status === 'CANCELLED', 'CANCELLED', FILL_MS);
    assert.equal(done.filled_qty, 0);
    const p2 = await inv.position(p0.instrument, p0.product);
    assert.equal(p2.pending_exit_qty, 0, 'the cancelled exit is no longer pending');
    assert.equal(p2.squareoff_qty, p0.squareoff_qty);
    await assertExchangeGot(before, { orders: 1, cancels: 1 }, 'own cancel');
    assertError(await inv.post(`/api/v1/orders/${encodeURIComponent(o.order_id)}/cancel`, {}), 409, 'not_cancellable', 'cancel of a CANCELLED order');
  });

  test('state-changing calls need the X-CSRF-Token header (403), and nothing is sent without it', async () => {
    const c = roles.csrf;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p = await inv.position(c.position.instrument, c.position.product);
    const before = await exchangeCounts();
    const body = { instrument: p.instrument, product: p.product, qty: lotOf(p) };
    const other = new Investor(roles.other.ucc);
    await other.login();
    for (const csrf of [undefined, '', 'wrong', other.csrf, inv.csrf + 'x', inv.csrf.toUpperCase() === inv.csrf ? inv.csrf.toLowerCase() : inv.csrf.toUpperCase()]) {
      for (const p2 of ['/api/v1/positions/square-off', '/api/v1/positions/square-off-all', '/api/v1/orders/X1/cancel', '/api/v1/auth/logout']) {
        const r = await post(p2, { cookie: inv.cookie, csrf, ip: inv.ip, json: p2.endsWith('square-off') ? body : {} });
        assertError(r, 403, 'csrf', `${p2} with X-CSRF-Token ${JSON.stringify(csrf)}`);
      }
    }
    // The token in a cookie or the body does not count either.
    const inBody = await post('/api/v1/positions/square-off', { cookie: inv.cookie, ip: inv.ip, json: { ...body, csrf_token: inv.csrf } });
    assertError(inBody, 403, 'csrf', 'CSRF token in the body');
    await assertExchangeGot(before, {}, 'refused CSRF');
    assert.deepEqual(await inv.list('orders'), []);
    assert.equal((await inv.get('/api/v1/session')).status, 200, 'the session survives refused calls');
    // With the header it works.
    const ok = await inv.post('/api/v1/positions/square-off', body);
    assert.equal(ok.status, 202, ok.text);
    await inv.waitOrder(ok.json.orders[0].order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
  });

  test('square-off-all: cancels the risk-adding pending orders, squares off every position, ends flat', async () => {
    const c = roles.all;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = (await inv.list('positions')).filter((p) => p.net_qty !== 0);
    assert.ok(p0.length > 0, 'open positions to square off');
    const live0 = (await inv.list('orders')).filter((o) => !FINAL.has(o.status));
    assert.deepEqual(live0.map((o) => o.order_id).sort(), [...c.risk_adding_orders].sort(), 'the pending main-site orders as picked');
    const before = await exchangeCounts();
    live0.forEach((o) => {
      assertOrder(o, 'main-site order');
      assert.equal(o.source, 'main');
    });
    const key = crypto.randomUUID();
    const r = await inv.post('/api/v1/positions/square-off-all', {}, { headers: { 'Idempotency-Key': key } });
    assert.equal(r.status, 202, r.text);
    assertKeys(r.json, ['cancelled', 'orders'], 'square-off-all answer');
    assert.ok(Array.isArray(r.json.cancelled) && Array.isArray(r.json.orders));
    assertNoLongDecimals(r.text, 'square-off-all answer');
    const cancelledIds = r.json.cancelled.map((x) => (typeof x === 'string' ? x : x.order_id)).sort();
    assert.deepEqual(cancelledIds, [...c.risk_adding_orders].sort(), 'every risk-adding pending order is cancelled');
    r.json.cancelled.filter((x) => typeof x === 'object').forEach((x) => assertOrder(x, 'cancelled[]'));
    r.json.orders.forEach((o) => assertOrder(o, 'orders[]'));
    for (const p of p0) {
      const mine = r.json.orders.filter((o) => o.instrument === p.instrument && o.product === p.product);
      assert.equal(mine.reduce((s, o) => s + o.qty, 0), p.squareoff_qty, `${p.instrument} ${p.product}: squared off in full`);
      assert.ok(mine.every((o) => o.side === exitSide(p) && o.source === 'backup'));
    }
    for (const o of r.json.orders) {
      assert.ok(p0.some((p) => p.instrument === o.instrument && p.product === o.product), `order ${o.order_id} is for an open position`);
    }

    for (const id of cancelledIds) await inv.waitOrder(id, (x) => x.status === 'CANCELLED' || x.status === 'FILLED', 'final', FILL_MS);
    for (const o of r.json.orders) await inv.waitOrder(o.order_id, (x) => x.status === 'FILLED', 'FILLED', FILL_MS);
    const deadline = Date.now() + FILL_MS;
    let after;
    for (;;) {
      after = await inv.list('positions');
      if (after.every((p) => p.net_qty === 0) || Date.now() > deadline) break;
      await sleep(150);
    }
    assert.deepEqual(after.filter((p) => p.net_qty !== 0), [], 'flat once filled');
    assert.ok(after.every((p) => p.pending_exit_qty === 0 && p.squareoff_qty === 0));
    await assertExchangeGot(before, { orders: r.json.orders.length, cancels: cancelledIds.length }, 'square-off-all');
    assert.deepEqual((await inv.list('orders')).filter((o) => !FINAL.has(o.status)), [], 'nothing left pending');
    // The same key again: the first answer, nothing sent.
    const before2 = await exchangeCounts();
    const replay = await inv.post('/api/v1/positions/square-off-all', {}, { headers: { 'Idempotency-Key': key } });
    assert.equal(replay.status, 202);
    assert.equal(replay.text, r.text, 'square-off-all replay is the first answer');
    // A new request with nothing open: nothing to cancel, nothing to send.
    const empty = await inv.post('/api/v1/positions/square-off-all', {});
    assert.equal(empty.status, 202, empty.text);
    assert.deepEqual([empty.json.cancelled, empty.json.orders], [[], []], 'nothing to do when flat');
    await assertExchangeGot(before2, {}, 'square-off-all replay and empty square-off-all');
  });

  test('a price move reaches ltp and unrealized_pnl, and fills a resting exit it crosses', async () => {
    const c = roles.price;
    const inv = new Investor(c.ucc);
    await inv.login();
    const p0 = await inv.position(c.position.instrument, c.position.product);
    const lot = lotOf(p0);
    const limit = restingPrice(p0);
    const r = await inv.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: lot, order_type: 'LIMIT', price: limit });
    assert.equal(r.status, 202, r.text);
    const id = r.json.orders[0].order_id;
    await inv.waitOrder(id, (x) => x.status === 'OPEN', 'OPEN', FILL_MS);
    // The exchange's last price moves to the limit: the resting exit fills there.
    await sim('POST', `/control/price?instrument=${encodeURIComponent(p0.instrument)}&price=${limit.toFixed(2)}`);
    const filled = await inv.waitOrder(id, (x) => x.status === 'FILLED', 'FILLED after the price crossed it', FILL_MS);
    assert.equal(filled.filled_qty, lot);
    const t = (await inv.list('trades')).find((x) => x.order_id === id);
    assert.ok(t, 'the fill is in the trade book');
    assert.ok(exitSide(p0) === 'SELL' ? toPaise(t.price) >= toPaise(limit) : toPaise(t.price) <= toPaise(limit), `filled at ${t.price}, at or better than ${limit}`);
    const p1 = await inv.waitPosition(p0.instrument, p0.product, (x) => toPaise(x.ltp) === toPaise(limit) && x.net_qty === p0.net_qty + delta(p0, lot), `ltp ${limit} and the fill`, FILL_MS);
    const expected = (toPaise(p1.ltp) - toPaise(p1.avg_price)) * p1.net_qty;
    assert.ok(Math.abs(toPaise(p1.unrealized_pnl) - expected) <= Math.abs(p1.net_qty), `unrealized_pnl ${p1.unrealized_pnl} = (ltp - avg_price) x net_qty = ${expected / 100}`);
    assert.ok(toPaise(p1.realized_pnl) !== toPaise(p0.realized_pnl) || toPaise(limit) === toPaise(p0.avg_price), 'the exit realized P&L');
  });

  test("the investor can cancel a pending order of their own placed on the main site", async () => {
    const c = roles.maincancel;
    const inv = new Investor(c.ucc);
    await inv.login();
    const o = await inv.order(c.main_order);
    assert.ok(o, 'the main-site order is in the order book');
    assertOrder(o, 'main-site order');
    assert.equal(o.source, 'main');
    assert.equal(o.status, 'OPEN');
    const before = await exchangeCounts();
    const r = await inv.post(`/api/v1/orders/${encodeURIComponent(o.order_id)}/cancel`, {});
    assert.equal(r.status, 202, r.text);
    const done = await inv.waitOrder(o.order_id, (x) => x.status === 'CANCELLED', 'CANCELLED', FILL_MS);
    assertOrder(done);
    await assertExchangeGot(before, { cancels: 1 }, 'cancel of a main-site order');
  });
});

// ====================================================================== stream

describe('live updates', () => {
  // api-bugs.md #1: the stream pushes a position only after a fill, not after a cancel.
  test('a resting exit and its cancel: each change of pending_exit_qty/squareoff_qty is pushed as a position event', async () => {
    const a = new Investor(roles.stream.ucc);
    await a.login();
    const sa = await a.openStream();
    try {
      assert.equal(sa.status, 200, sa.text);
      const p0 = await a.position(roles.stream.position.instrument, roles.stream.position.product);
      const lot = lotOf(p0);
      const samePos = (e) => e.event === 'position' && e.data.instrument === p0.instrument && e.data.product === p0.product;
      const resting = await a.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: lot, order_type: 'LIMIT', price: restingPrice(p0) });
      assert.equal(resting.status, 202, resting.text);
      const restId = resting.json.orders[0].order_id;
      await sa.waitFor((e) => e.event === 'order' && e.data.order_id === restId && e.data.status === 'OPEN', FILL_MS);
      await sa.waitFor((e) => samePos(e) && e.data.pending_exit_qty === lot && e.data.squareoff_qty === p0.squareoff_qty - lot, FILL_MS);
      const cx = await a.post(`/api/v1/orders/${encodeURIComponent(restId)}/cancel`, {});
      assert.equal(cx.status, 202, cx.text);
      const cancelled = await sa.waitFor((e) => e.event === 'order' && e.data.order_id === restId && e.data.status === 'CANCELLED', FILL_MS);
      const rest = await a.position(p0.instrument, p0.product);
      assert.equal(rest.pending_exit_qty, 0, 'GET /positions: the cancelled exit is no longer pending');
      const mark = sa.events.indexOf(cancelled);
      await sa.waitFor((e) => sa.events.indexOf(e) >= mark && samePos(e) && e.data.pending_exit_qty === 0 && e.data.squareoff_qty === p0.squareoff_qty, 5000).catch((err) => {
        throw new Error(`after the cancel was confirmed, no position event with pending_exit_qty 0 / squareoff_qty ${p0.squareoff_qty} (GET /positions has them): ${err.message}`);
      });
    } finally {
      sa.close();
    }
  });

  test('GET /api/v1/stream is text/event-stream and carries the caller\'s order, trade and position events only', async () => {
    const a = new Investor(roles.stream.ucc);
    const b = new Investor(roles.stream_other.ucc);
    await a.login();
    await b.login();
    const sa = await a.openStream();
    const sb = await b.openStream();
    try {
      for (const s of [sa, sb]) {
        assert.equal(s.status, 200, s.text);
        assert.match(String(s.headers['content-type']), /^text\/event-stream/);
        assertSecurityHeaders(s, 'GET /api/v1/stream');
        await sleep(100);
        assert.ok(s.retry > 0, `the stream sets the reconnect delay (retry:): ${JSON.stringify(s.text.slice(0, 80))}`);
      }
      const p0 = await a.position(roles.stream.position.instrument, roles.stream.position.product);
      const lot = lotOf(p0);
      const r = await a.post('/api/v1/positions/square-off', { instrument: p0.instrument, product: p0.product, qty: lot });
      assert.equal(r.status, 202, r.text);
      const id = r.json.orders[0].order_id;
      const filledEv = await sa.waitFor((e) => e.event === 'order' && e.data.order_id === id && e.data.status === 'FILLED', FILL_MS);
      assertOrder(filledEv.data, 'order event');
      const tradeEv = await sa.waitFor((e) => e.event === 'trade' && e.data.order_id === id, FILL_MS);
      assertTrade(tradeEv.data, 'trade event');
      const want = p0.net_qty + delta(p0, lot);
      const posEv = await sa.waitFor((e) => e.event === 'position' && e.data.instrument === p0.instrument && e.data.product === p0.product && e.data.net_qty === want, FILL_MS);
      assertPosition(posEv.data, 'position event');
      assert.equal(posEv.data.pending_exit_qty, 0);
      // The position event is the full REST object, equal to what GET /positions says now.
      const rest = await a.position(p0.instrument, p0.product);
      for (const k of ['net_qty', 'pending_exit_qty', 'squareoff_qty', 'avg_price', 'realized_pnl']) assert.equal(posEv.data[k], rest[k], `position event ${k}`);
      for (const e of sa.events) {
        assert.equal(e.dataLines, 1, `each event's data is one line: ${e.raw}`);
        assert.ok(e.data && typeof e.data === 'object', `data is a JSON object: ${e.raw}`);
        assert.ok(['order', 'trade', 'position'].includes(e.event), `event name ${e.event}`);
      }
      assert.ok(sa.events.some((e) => e.event === 'order' && e.data.order_id === id && e.data.status !== 'FILLED'), 'the order\'s earlier states were pushed too');

      // A little main-site traffic for everyone else: still only the caller's own events.
      const st = await simState();
      await sim('POST', `/control/flow?rate=400&count=${st.flow.emitted + 300}`);
      const deadline = Date.now() + 15000;
      while (!(await simState()).flow.done && Date.now() < deadline) await sleep(200);
      await sleep(1500);
      for (const [inv, s] of [[a, sa], [b, sb]]) {
        const orders = new Set((await inv.list('orders')).map((o) => o.order_id));
        const trades = new Set((await inv.list('trades')).map((t) => t.trade_id));
        const positions = new Set((await inv.list('positions')).map((p) => `${p.instrument}|${p.product}`));
        for (const e of s.events) {
          if (e.event === 'order') assert.ok(orders.has(e.data.order_id), `${inv.ucc}'s stream carried order ${e.data.order_id}, not theirs`);
          if (e.event === 'trade') assert.ok(trades.has(e.data.trade_id), `${inv.ucc}'s stream carried trade ${e.data.trade_id}, not theirs`);
          if (e.event === 'position') assert.ok(positions.has(`${e.data.instrument}|${e.data.product}`), `${inv.ucc}'s stream carried a position not theirs`);
        }
      }
      assert.ok(!sb.events.some((e) => e.data.order_id === id), "the other client's stream did not see the order");

      // Logout ends the session's stream.
      const out = await a.post('/api/v1/auth/logout', {});
      assert.equal(out.status, 204);
      const ended = await Promise.race([sa.ended, sleep(5000).then(() => 'still open')]);
      assert.notEqual(ended, 'still open', 'the stream closes at logout');
    } finally {
      sa.close();
      sb.close();
    }
  });
});

test('the live stream of private data is marked not cacheable (Cache-Control)', async () => {
  const a = new Investor(roles.stream_other.ucc);
  await a.login();
  const s = await a.openStream();
  try {
    assert.equal(s.status, 200);
    assert.match(String(s.headers['cache-control'] || ''), /no-store|no-cache/, `GET /api/v1/stream Cache-Control: ${s.headers['cache-control']}`);
  } finally {
    s.close();
  }
});

// ====================================================================== standby

describe('a server on standby', { skip: !env.standbyUrl && 'IRRA_STANDBY_URL is not set' }, () => {
  const at = (p, opts = {}) => request(opts.method || 'GET', p, { base: env.standbyUrl, ip: freshIp(), ...opts });

  test('status says standby; login and investor data answer 503 {"error":"standby"}', async () => {
    const s = await at('/api/v1/status');
    assert.equal(s.status, 200);
    assert.equal(s.json.mode, 'standby');
    assertTime(s.json.since, 'standby since');
    assert.equal((await at('/healthz')).status, 200);
    for (const [method, p, json] of [
      ['POST', '/api/v1/auth/otp', { login: roles.session.ucc }],
      ['POST', '/api/v1/auth/login', { challenge_id: 'x', otp: '123456' }],
      ['GET', '/api/v1/positions'],
      ['GET', '/api/v1/orders'],
      ['GET', '/api/v1/session'],
      ['GET', '/api/v1/stream'],
      ['POST', '/api/v1/positions/square-off', { instrument: 'NSE:X', product: 'MIS' }],
      ['POST', '/api/v1/positions/square-off-all', {}],
      ['POST', '/api/v1/orders/X1/cancel', {}],
    ]) {
      const r = await at(p, { method, json });
      assertError(r, 503, 'standby', `standby ${method} ${p}`);
      assertSecurityHeaders(r, `standby ${p}`);
    }
    // Also with a cookie the active server issued: sessions are no use on standby.
    const inv = new Investor(roles.recovery.ucc);
    await inv.login();
    assertError(await at('/api/v1/positions', { cookie: inv.cookie }), 503, 'standby', 'standby /positions with a cookie');
    if (env.standbyNotifyFile && fs.existsSync(env.standbyNotifyFile)) {
      assert.equal(fs.readFileSync(env.standbyNotifyFile, 'utf8').trim(), '', 'the standby server sent no OTP');
    }
    const page = await at('/');
    assert.equal(page.status, 200, 'the page (with its standby notice) is still served');
  });
});

// ====================================================================== expiry (last)

describe('OTP expiry', () => {
  test('an expired OTP answers 401 otp_expired', async () => {
    const waitMs = expiring.requestedAt + (env.otpTtlS + 1.5) * 1000 - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    const r = await expiring.inv.submitOtp(expiring.challenge, expiring.otp);
    assertError(r, 401, 'otp_expired', `the right OTP after ${env.otpTtlS} s`);
    assert.equal(setCookies(r).length, 0);
  });
});

// ====================================================================== after everything

describe('after the run', () => {
  test('an idle live stream stays open (keep-alive comments) as long as its session lives', async () => {
    const waited = Date.now() - quiet.openedAt;
    const ended = await Promise.race([quiet.stream.ended, sleep(10).then(() => null)]);
    assert.equal(ended, null, `the stream of an idle, logged-in client ended after ${waited} ms`);
    assert.equal(quiet.stream.status, 200);
    if (waited > 31000) {
      assert.ok(quiet.stream.comments.length >= 2, `keep-alive comments on an idle stream over ${waited} ms: ${JSON.stringify(quiet.stream.comments)}`);
    }
  });

  test('notifications have unique event_ids; the server log holds no OTP and no session token', async () => {
    const lines = notifyLinesSince(0);
    const ids = lines.map((m) => m.event_id);
    assert.ok(ids.every((x) => typeof x === 'string' && x.length > 0), 'every notification has an event_id');
    assert.equal(new Set(ids).size, ids.length, 'event_ids are unique');
    if (!env.logFile) return;
    const log = fs.readFileSync(env.logFile, 'utf8');
    assert.ok(seenSecrets.tokens.size > 10 && seenSecrets.otps.size > 10, 'secrets were collected');
    for (const t of seenSecrets.tokens) assert.ok(!log.includes(t), 'a session token is in the server log');
    for (const m of lines) {
      const otp = String(m.otp);
      // A leak would sit next to the word OTP or on a line naming the client.
      const near = new RegExp(`otp[^\\n]{0,80}\\b${otp}\\b|\\b${otp}\\b[^\\n]{0,80}otp`, 'i');
      assert.ok(!near.test(log), `the OTP of ${m.ucc} is in the server log`);
      for (const line of log.split('\n').filter((l) => l.includes(m.ucc))) {
        assert.ok(!new RegExp(`\\b${otp}\\b`).test(line), `the OTP of ${m.ucc} is in the server log: ${line}`);
      }
    }
  });
});

test('idle and slow connections are closed by the server\'s timeouts', async () => {
  // Handshake and header: 10 s; keep-alive idle: 30 s (the server's defaults).
  const limits = { 'TCP without a TLS handshake': 10000, 'TLS without a request': 30000, 'a request header never finished': 10000 };
  for (const w of idle) {
    const limit = limits[w.name] + 5000;
    const deadline = w.openedAt + limit;
    while (w.closedAt === null && Date.now() < deadline) await sleep(200);
    assert.ok(w.closedAt !== null, `${w.name}: still open after ${Date.now() - w.openedAt} ms`);
    assert.ok(w.closedAt - w.openedAt <= limit, `${w.name}: closed after ${w.closedAt - w.openedAt} ms`);
  }
});

test('the server log records authentication decisions', async () => {
  if (!env.logFile) return;
  const log = fs.readFileSync(env.logFile, 'utf8');
  const ucc = roles.session.ucc;
  assert.ok(log.split('\n').some((l) => l.includes(ucc) && /log(ged)?[ -]?in/i.test(l)), `a successful login of ${ucc} is logged`);
  assert.ok(log.split('\n').some((l) => l.includes(ucc) && /log(ged)?[ -]?out/i.test(l)), `the logout of ${ucc} is logged`);
  assert.ok(/wrong|invalid/i.test(log) && /otp|code/i.test(log), 'wrong OTPs are logged');
  assert.ok(/rate.?limit/i.test(log), 'rate-limit refusals are logged');
});
