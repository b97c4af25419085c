// When the server is on STANDBY the page shows only a calm notice: no login form, no
// account, and the API itself refuses a login attempt (503 {"error":"standby"}).
//
// Needs a server in standby mode: IRRA_STANDBY_URL (e.g. a second `irra serve --standby`),
// or IRRA_URL itself when that server is in standby (IRRA_STANDBY_URL=same URL).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { config, launch, openPage, screenshot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const kind of ['phone', 'desktop']) {
  test(`on a ${kind}, a standby server shows the standby notice and no way to log in`, { timeout: 60000 }, async (t) => {
    if (!config.standbyUrl) {
      t.skip('IRRA_STANDBY_URL is not set');
      return;
    }
    const { context, page, problems } = await openPage(browser, kind);
    try {
      const status = await context.request.get(`${config.standbyUrl}/api/v1/status`);
      assert.equal((await status.json()).mode, 'standby', 'the server under test must be in standby');

      await page.goto(config.standbyUrl + '/');
      await page.getByRole('heading', { name: 'The backup site is on standby' }).waitFor({ timeout: 15000 });
      await page.getByText('Please use the main trading site').first().waitFor();
      // The notice and nothing else: no login form, no account, no session controls.
      assert.equal(await page.locator('#screen-login').isVisible(), false);
      assert.equal(await page.locator('#screen-app').isVisible(), false);
      assert.equal(await page.getByLabel('Client code (UCC) or PAN').isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Log out' }).isVisible(), false);
      await screenshot(page, kind, 'standby');

      // And the server refuses a login attempt outright.
      const otp = await context.request.post(`${config.standbyUrl}/api/v1/auth/otp`, {
        data: { login: config.ucc },
        failOnStatusCode: false,
      });
      assert.equal(otp.status(), 503);
      assert.equal((await otp.json()).error, 'standby');

      // The page keeps polling status (every ~10 s) rather than giving up.
      const polled = await page.waitForRequest((r) => r.url().endsWith('/api/v1/status'), { timeout: 15000 });
      assert.ok(polled);
      assert.equal(await page.locator('#screen-notice').isVisible(), true);
      assert.deepEqual(problems, [], 'no CSP violation and no uncaught error');
    } finally {
      await context.close();
    }
  });
}
