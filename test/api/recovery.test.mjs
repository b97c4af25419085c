// Run last (after the browser tests): the active server is switched to RECOVERY with
// `irra ctl recover` (the main site is back); login and investor data then answer 503
// {"error":"recovery"}, also for a session opened while ACTIVE.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { env, request, freshIp, Investor, clients, assertError } from './lib.mjs';

const { roles } = clients();

function irraCtl(...args) {
  return new Promise((resolve) => {
    execFile(env.irraBin, ['ctl', ...args, '--config', env.irraConfig], { timeout: 20000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

test('in RECOVERY, login and investor calls answer 503 {"error":"recovery"}', async (t) => {
  const inv = new Investor(roles.recovery.ucc);
  await inv.login();
  assert.equal((await inv.get('/api/v1/positions')).status, 200);
  const r = await irraCtl('recover', '--reason', 'web tests: main site back');
  if (r.code !== 0 && /not available|not_supported/i.test(r.stdout + r.stderr)) {
    t.skip(`irra ctl recover is not available in this build: ${(r.stdout + r.stderr).trim()}`);
    return;
  }
  assert.equal(r.code, 0, `irra ctl recover: ${r.stdout} ${r.stderr}`);
  const s = await request('GET', '/api/v1/status');
  assert.equal(s.json.mode, 'recovery');
  for (const [method, p, json] of [
    ['POST', '/api/v1/auth/otp', { login: roles.recovery.ucc }],
    ['POST', '/api/v1/auth/login', { challenge_id: 'x', otp: '123456' }],
  ]) {
    assertError(await request(method, p, { json, ip: freshIp() }), 503, 'recovery', `${method} ${p} in recovery`);
  }
  for (const p of ['/api/v1/positions', '/api/v1/orders', '/api/v1/session']) {
    assertError(await inv.get(p), 503, 'recovery', `${p} with a session, in recovery`);
  }
  assertError(await inv.post('/api/v1/positions/square-off-all', {}), 503, 'recovery', 'square-off-all in recovery');
});
