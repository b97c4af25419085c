// The staff terminal (/admin/) in a real browser against a running IRRA server in ACTIVE
// mode: a wrong TOTP code is refused with a clear message; login with a computed TOTP
// code; the overview; a reload carries on; the client found by typing part of the UCC and
// picked with the keyboard; one position squared off with reason and evidence through the
// confirmation dialog, its order reaching FILLED; a bulk MIS square-off followed to done;
// the audit log showing the staff.square_off record; logout.
//
//   IRRA_URL=https://127.0.0.1:18443 IRRA_STAFF_USER=desk1 IRRA_STAFF_PASSWORD=... \
//   IRRA_STAFF_TOTP_SECRET=BASE32... IRRA_STAFF_UCC=C000001 [IRRA_STAFF_BULK=1] \
//   node --test test/browser/admin.test.mjs
//
// Skips when IRRA_STAFF_USER is not set. IRRA_STAFF_BULK=1 when the user is a supervisor
// (or admin) and a bulk job may run on that server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { config, launch, openPage, screenshot, fmtQty, asList } from './lib.mjs';

const staff = {
  user: process.env.IRRA_STAFF_USER || '',
  password: process.env.IRRA_STAFF_PASSWORD || '',
  secret: process.env.IRRA_STAFF_TOTP_SECRET || '',
  ucc: (process.env.IRRA_STAFF_UCC || config.ucc).toUpperCase(),
  bulk: process.env.IRRA_STAFF_BULK === '1',
};

const LIVE_TIMEOUT = 30000;
const BULK_TIMEOUT = 180000;

// ---- RFC 6238 TOTP: HMAC-SHA-1, 6 digits, 30 s steps.
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`IRRA_STAFF_TOTP_SECRET is not base32 (character ${ch})`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const STEP_MS = 30000;
const stepAt = (ms) => Math.floor(ms / STEP_MS);

function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(code).padStart(6, '0');
}

let lastUsedStep = -1;

/** The code for the current step; waits for the next step when this one was used already. */
async function freshCode() {
  let step = stepAt(Date.now());
  if (step <= lastUsedStep) {
    const wait = (lastUsedStep + 1) * STEP_MS - Date.now() + 500;
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    step = stepAt(Date.now());
  }
  lastUsedStep = step;
  return totp(staff.secret, step);
}

/** A code that is wrong for the current step and both neighbours the server accepts. */
function wrongCode() {
  const step = stepAt(Date.now());
  const near = new Set([-1, 0, 1, 2].map((d) => totp(staff.secret, step + d)));
  for (let n = 123456; ; n = (n + 111111) % 1000000) {
    const c = String(n).padStart(6, '0');
    if (!near.has(c)) return c;
  }
}

// ---- helpers
async function adminGet(context, p) {
  const res = await context.request.get(`${config.url}/api/v1/admin${p}`, { failOnStatusCode: false });
  return { status: res.status(), body: res.status() === 204 ? null : await res.json().catch(() => null) };
}

const lot = (p) => (Number.isInteger(p.lot_size) && p.lot_size > 1 ? p.lot_size : 1);
const exitSide = (p) => (p.net_qty < 0 ? 'BUY' : 'SELL');
const nameOf = (p) => p.symbol || String(p.instrument).split(':').pop();

/** The page's restatement: "SELL 1,800 NIFTY24DECFUT NRML (36 lots) for C001234 in 2 slices". */
function restatement(p, q, ucc) {
  const l = lot(p);
  const lots = l > 1 ? ` (${fmtQty(q / l)} ${q / l === 1 ? 'lot' : 'lots'})` : '';
  const slices = Number.isInteger(p.freeze_qty) && p.freeze_qty > 0 ? Math.ceil(q / p.freeze_qty) : 1;
  return `${exitSide(p)} ${fmtQty(q)} ${nameOf(p)} ${p.product}${lots} for ${ucc} in ${slices} ${slices === 1 ? 'slice' : 'slices'}`;
}

async function fillLogin(page, code) {
  await page.getByLabel('User', { exact: true }).fill(staff.user);
  await page.getByLabel('Password', { exact: true }).fill(staff.password);
  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Log in' }).click();
}

let browser;
before(async () => {
  if (staff.user) browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('staff terminal: login with TOTP, find a client, square off with evidence, bulk square-off, audit', { timeout: 600000 }, async (t) => {
  if (!staff.user) {
    t.skip('IRRA_STAFF_USER is not set');
    return;
  }
  assert.ok(staff.password && staff.secret, 'IRRA_STAFF_PASSWORD and IRRA_STAFF_TOTP_SECRET are needed with IRRA_STAFF_USER');
  const { context, page, problems } = await openPage(browser, 'desktop');
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/api/v1/admin/')) posts.push({ url: r.url(), headers: r.headers() });
  });
  const shot = (step) => screenshot(page, 'admin', step);
  try {
    const status = await (await context.request.get(`${config.url}/api/v1/status`)).json();
    assert.equal(status.mode, 'active', 'the server under test must be ACTIVE');

    // Login: a wrong code first, refused with a clear message.
    await page.goto(config.url + '/admin/');
    await page.getByRole('heading', { name: 'Staff login' }).waitFor({ timeout: 15000 });
    await page.locator('#mode-banner[data-mode="active"]').waitFor();
    await shot('login');
    const totpInput = page.getByLabel('6-digit code');
    assert.equal(await totpInput.getAttribute('autocomplete'), 'one-time-code');
    await fillLogin(page, wrongCode());
    await page.locator('#login-message').getByText('Login refused').waitFor({ timeout: 20000 });
    assert.equal(await totpInput.inputValue(), '', 'the used code is cleared');
    await shot('login-refused');

    await fillLogin(page, await freshCode());
    const who = page.locator('#who-user').getByText(staff.user, { exact: true });
    const refusal = page.locator('#login-message').getByText('Login refused');
    await who.or(refusal).waitFor({ timeout: 20000 });
    if (await refusal.isVisible()) {
      // This step's code was used already (a login elsewhere moments ago): the next one.
      t.diagnostic('TOTP code of this step already used; retrying with the next step');
      await page.locator('#login-message').evaluate((m) => {
        m.hidden = true;
      });
      await fillLogin(page, await freshCode());
    }
    await who.waitFor({ timeout: 20000 });
    const role = (await page.locator('#who-role').textContent()).trim();
    assert.ok(['viewer', 'dealer', 'supervisor', 'admin'].includes(role), `role shown: ${role}`);
    assert.ok(role !== 'viewer', 'the staff user must be a dealer or above to square off');
    await page.locator('#mode-name').getByText('ACTIVE').waitFor();

    // Overview, refreshed every 2 s.
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('#overview-tiles .tile').first().waitFor({ timeout: 10000 });
    await page.locator('#overview-tiles').getByText('Investors logged in').waitFor();
    await page.locator('#counts-body tr').first().waitFor();
    const asOf1 = await page.locator('#overview-asof').textContent();
    await page.waitForFunction((before) => document.querySelector('#overview-asof')?.textContent !== before, asOf1, { timeout: 10000 });
    await shot('overview');

    // A reload carries on with the same session (GET /api/v1/admin/session).
    await page.reload();
    await page.locator('#who-user').getByText(staff.user, { exact: true }).waitFor({ timeout: 15000 });
    assert.equal(await page.locator('#screen-login').isVisible(), false, 'no login after a reload');

    // Find the client by typing part of the UCC, then pick it with the keyboard.
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'client-search', '"/" focuses the search');
    const part = staff.ucc.slice(0, Math.max(2, staff.ucc.length - 1));
    await page.keyboard.type(part.toLowerCase());
    const option = page.locator(`#search-results li[data-ucc="${staff.ucc}"]`);
    await option.waitFor({ timeout: 10000 });
    const uccs = await page.locator('#search-results li').evaluateAll((lis) => lis.map((li) => li.dataset.ucc));
    const index = uccs.indexOf(staff.ucc);
    assert.ok(index >= 0);
    for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await option.getAttribute('aria-selected'), 'true', 'arrow keys select the client');
    await shot('search');
    await page.keyboard.press('Enter');
    await page.locator('#client-title').getByText(staff.ucc).waitFor({ timeout: 10000 });
    assert.match(page.url(), new RegExp(`#client/${staff.ucc}$`));

    // The client's positions, as the server has them.
    const { status: ps, body: pbody } = await adminGet(context, `/clients/${staff.ucc}/positions`);
    assert.equal(ps, 200);
    const positions = asList(pbody, 'positions');
    const open = positions.filter((p) => p.net_qty !== 0 && p.squareoff_qty >= lot(p));
    assert.ok(open.length > 0, `${staff.ucc} needs a position that can be squared off`);
    await page.locator('#cpos-body > tr').first().waitFor();
    assert.equal(await page.locator('#cpos-body > tr').count(), positions.length);
    await shot('client');

    // Square off one lot (part of the position when it is larger) through the dialog.
    const target = open.find((p) => p.squareoff_qty >= 2 * lot(p)) ?? open[0];
    const q = lot(target);
    const row = page.locator(`#cpos-body > tr[data-key="${target.instrument}|${target.product}"]`);
    await row.getByRole('button', { name: /^Square off/ }).click();
    const dialog = page.locator('#action');
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await dialog.getByLabel('Quantity').inputValue(), String(target.squareoff_qty));
    await dialog.getByLabel('Quantity').fill(String(q));
    const words = restatement(target, q, staff.ucc);
    await dialog.locator('#action-summary').getByText(words, { exact: false }).waitFor();
    // Reason and evidence are required: nothing is sent without them.
    const postsBefore = posts.length;
    await dialog.getByRole('button', { name: `Send ${exitSide(target)} ${fmtQty(q)}` }).click();
    await dialog.locator('#action-reason-error').getByText('Enter the reason').waitFor();
    await dialog.locator('#action-evidence-error').getByText('Enter the evidence reference').waitFor();
    assert.equal(posts.length, postsBefore, 'nothing sent without reason and evidence');
    await dialog.getByLabel('Reason').fill('Client called: main site down, asked to exit one lot');
    await dialog.getByLabel(/^Evidence reference/).fill('REC-2024-000123');
    await shot('squareoff-confirm');
    await dialog.getByRole('button', { name: `Send ${exitSide(target)} ${fmtQty(q)}` }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 20000 });
    const sent = posts.filter((p) => p.url.endsWith(`/clients/${staff.ucc}/square-off`));
    assert.equal(sent.length, 1, 'one square-off request');
    assert.match(sent[0].headers['idempotency-key'] ?? '', /^[0-9a-f-]{32,36}$/i, 'Idempotency-Key sent');
    assert.ok(sent[0].headers['x-csrf-token'], 'X-CSRF-Token sent');

    // The outcome: accepted, then the order reaches FILLED (stream or re-read).
    const outcome = page.locator('#outcome-list > li').first();
    await outcome.getByText(`Accepted: ${words}`).waitFor({ timeout: 10000 });
    await page.locator('#outcome-list > li[data-state="done"]').first().waitFor({ timeout: LIVE_TIMEOUT });
    await outcome.locator('.badge').getByText('Filled').first().waitFor();
    const deskRow = page.locator('#cord-body > tr').filter({ has: page.locator('.placed-by', { hasText: 'desk' }) }).filter({ hasText: 'Filled' });
    await deskRow.first().waitFor({ timeout: LIVE_TIMEOUT });
    const expectedNet = target.net_qty + (exitSide(target) === 'SELL' ? -q : q);
    await row.locator('td').nth(2).getByText(fmtQty(expectedNet), { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    const orders = asList((await adminGet(context, `/clients/${staff.ucc}/orders`)).body, 'orders');
    assert.ok(orders.some((o) => o.placed_by === 'staff' && o.status === 'FILLED'), 'the API has the desk order FILLED');
    await shot('squareoff-filled');
    // The live feed saw it.
    await page.locator('#feed-list > li[data-kind="order"]').first().waitFor({ timeout: LIVE_TIMEOUT });

    // Bulk MIS square-off, followed to the end.
    if (staff.bulk) {
      assert.ok(['supervisor', 'admin'].includes(role), 'IRRA_STAFF_BULK=1 needs a supervisor');
      await page.getByRole('link', { name: 'Bulk square-off' }).click();
      await page.getByRole('heading', { name: 'Bulk square-off' }).waitFor();
      assert.equal(await page.getByLabel('Product', { exact: true }).inputValue(), 'MIS');
      await page.locator('#bulk-reason').fill('End of day intraday square-off (browser test)');
      await page.getByRole('button', { name: 'Review bulk square-off…' }).click();
      const confirm = page.locator('#confirm');
      await confirm.waitFor({ state: 'visible' });
      await confirm.getByText('Square off every open MIS position').first().waitFor();
      await shot('bulk-confirm');
      await confirm.getByRole('button', { name: /^Start/ }).click();
      await confirm.waitFor({ state: 'hidden', timeout: 20000 });
      await page.locator('#job-card').waitFor();
      await page.locator('#job-counts').getByText(/sent .* \/ filled .* \/ rejected .* \/ total/).waitFor();
      await shot('bulk-running');
      await page.locator('#job-state').getByText('done', { exact: true }).waitFor({ timeout: BULK_TIMEOUT });
      const [value, max] = await page.locator('#job-progress').evaluate((p) => [p.value, p.max]);
      assert.equal(value, max, 'the progress bar is full when the job is done');
      assert.equal(await page.locator('#job-cancel').isVisible(), false, 'no cancel for a finished job');
      await shot('bulk-done');
    } else {
      t.diagnostic('IRRA_STAFF_BULK is not 1: bulk square-off not run');
    }

    // Audit: the staff.square_off record for the client, with its chain mark.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await page.getByLabel('Client (UCC)').fill(staff.ucc);
    await page.getByLabel('Type', { exact: true }).fill('staff.square_off');
    await page.getByRole('button', { name: 'Search' }).click();
    const rec = page.locator('#audit-body > tr[data-type="staff.square_off"]').first();
    await rec.waitFor({ timeout: 10000 });
    await rec.getByText(`staff:${staff.user}`).waitFor();
    await rec.locator('.chain-ok').waitFor();
    const href = await page.locator('#audit-csv').getAttribute('href');
    assert.match(href, /^\/api\/v1\/admin\/audit\.csv\?/);
    assert.match(href, new RegExp(`ucc=${staff.ucc}`));
    assert.match(href, /type=staff\.square_off/);
    const csv = await context.request.get(config.url + href);
    assert.equal(csv.status(), 200);
    assert.match(await csv.text(), /staff\.square_off/);
    await shot('audit');

    // Mode: the current mode and, for a supervisor, the allowed transition (not clicked here).
    await page.getByRole('link', { name: 'Mode' }).click();
    await page.locator('#mode-now').getByText('The service is ACTIVE').waitFor();
    if (['supervisor', 'admin'].includes(role)) {
      await page.locator('#mode-buttons button[data-to="recovery"]').waitFor();
      assert.equal(await page.locator('#mode-buttons button').count(), 1, 'ACTIVE allows only RECOVERY');
    } else {
      assert.equal(await page.locator('#mode-form').isVisible(), false, 'no mode control below supervisor');
    }
    await shot('mode');

    // Dense desktop layout, still usable at 1280 px: no sideways scrolling.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('#overview-tiles .tile').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than 1280px`);
    await shot('overview-1280');

    // Logout: back to login, the session is gone on the server.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Staff login' }).waitFor();
    await page.getByText('You have logged out.').waitFor();
    assert.equal((await adminGet(context, '/session')).status, 401);

    assert.deepEqual(problems, [], 'no CSP violation and no uncaught error');
  } finally {
    await context.close();
  }
});
