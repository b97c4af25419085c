// An investor on a phone and on a desktop, in a real browser against a running IRRA server
// in ACTIVE mode: logs in with the OTP from the notification file, sees positions,
// squares off part of one and watches the fill arrive live (no reload), cancels a pending
// order, opens every section and logs out.
//
//   IRRA_URL=https://127.0.0.1:18443 IRRA_NOTIFY_FILE=var/notifications.jsonl \
//   IRRA_UCC=C000001 node --test test/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  config,
  launch,
  openPage,
  screenshot,
  notifyOffset,
  waitForOtp,
  fmtQty,
  apiGet,
  asList,
} from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const LIVE_TIMEOUT = 30000;
const FINAL = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);

async function login(page, kind) {
  await page.goto(config.url + '/');
  await page.getByRole('heading', { name: 'Log in to close positions' }).waitFor({ timeout: 15000 });
  await screenshot(page, kind, 'login');
  await page.getByLabel('Client code (UCC) or PAN').fill(config.ucc);
  const offset = notifyOffset();
  await page.getByRole('button', { name: 'Send one-time code' }).click();
  await page.locator('#sent-to').waitFor();
  const sentTo = await page.locator('#sent-to').textContent();
  assert.match(sentTo, new RegExp(config.ucc), 'the page says which client code the code was sent for');
  const otp = await waitForOtp(config.ucc, offset);
  assert.match(otp, /^\d{6}$/);
  const otpInput = page.getByLabel('6-digit one-time code');
  assert.equal(await otpInput.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await otpInput.getAttribute('inputmode'), 'numeric');
  // A wrong code first: the page must say so precisely and keep the challenge usable.
  const wrong = otp === '000000' ? '111111' : '000000';
  await otpInput.fill(wrong);
  await screenshot(page, kind, 'otp');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#otp-error').getByText('That code is not correct').waitFor();
  await otpInput.fill(otp);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor({ timeout: 15000 });
}

/** The position card for instrument|product, and its displayed net quantity. */
function card(page, p) {
  return page.locator(`#positions-list > [data-key="${p.instrument}|${p.product}"]`);
}

async function netQtyText(page, p) {
  return (await card(page, p).locator('.net-qty dd').textContent()).trim();
}

function exitSide(p) {
  return p.net_qty < 0 ? 'BUY' : 'SELL';
}

function lot(p) {
  return Number.isInteger(p.lot_size) && p.lot_size > 1 ? p.lot_size : 1;
}

/** Opens the ticket for p, enters q (and a limit price if given), reviews, confirms. */
async function squareOff(page, kind, p, q, limitPrice = null, shots = false) {
  await card(page, p).getByRole('button', { name: 'Square off' }).click();
  const dialog = page.locator('#ticket');
  await dialog.waitFor({ state: 'visible' });
  const qtyInput = dialog.getByLabel('Quantity');
  assert.equal(await qtyInput.inputValue(), String(p.squareoff_qty), 'the quantity defaults to all that may be squared off');

  // Client-side checks: more than may be squared off, and a part lot, are refused here.
  await qtyInput.fill(String(p.squareoff_qty + lot(p)));
  await dialog.getByRole('button', { name: 'Review' }).click();
  await dialog.locator('#ticket-qty-error').getByText('You can square off at most').waitFor();
  if (lot(p) > 1 && lot(p) + 1 <= p.squareoff_qty) {
    await qtyInput.fill(String(lot(p) + 1));
    await dialog.getByRole('button', { name: 'Review' }).click();
    await dialog.locator('#ticket-qty-error').getByText('whole number of lots').waitFor();
  }

  await qtyInput.fill(String(q));
  if (shots) await screenshot(page, kind, 'ticket');
  if (limitPrice !== null) {
    await dialog.getByLabel('Limit price', { exact: true }).check();
    await dialog.getByLabel('Limit price in rupees').fill(limitPrice);
  }
  await dialog.getByRole('button', { name: 'Review' }).click();
  const action = `${exitSide(p)} ${fmtQty(q)} ${p.symbol || p.instrument.split(':').pop()} ${p.product}`;
  await dialog.locator('#ticket-action').getByText(action, { exact: true }).waitFor();
  if (shots) await screenshot(page, kind, 'ticket-confirm');
  await dialog.getByRole('button', { name: `Confirm ${exitSide(p)} ${fmtQty(q)}` }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 15000 });
  // "Sent: …" until the exchange answers; a fast fill may replace it with "Done: …" at once.
  await page.locator('#status-text').getByText(new RegExp(`^(Sent|Done): ${escapeRe(action)}`)).waitFor();
  return action;
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tickAlignedAway(p) {
  // A limit that does not cross the last price rests OPEN: 5% away, inside the band, on tick.
  const tick = Math.round(p.tick_size * 100) || 5;
  const ltp = Math.round(p.ltp * 100);
  let price = exitSide(p) === 'SELL' ? Math.round(ltp * 1.05) : Math.round(ltp * 0.95);
  price -= price % tick;
  const lo = Math.round(p.lower_band * 100);
  const hi = Math.round(p.upper_band * 100);
  if (Number.isFinite(hi) && price > hi) price = hi - (hi % tick);
  if (Number.isFinite(lo) && price < lo) price = lo + ((tick - (lo % tick)) % tick);
  if (price === ltp) return null;
  return (price / 100).toFixed(2);
}

async function investorJourney(kind) {
  const { context, page, problems } = await openPage(browser, kind);
  try {
    await login(page, kind);

    // Positions, as the server has them.
    const { status, body } = await apiGet(context, '/positions');
    assert.equal(status, 200);
    const positions = asList(body, 'positions');
    const open = positions.filter((p) => p.net_qty !== 0 && p.squareoff_qty > 0);
    assert.ok(open.length > 0, `${config.ucc} needs at least one position that can be squared off`);
    await page.locator('#positions-list > [data-key]').first().waitFor();
    assert.equal(await page.locator('#positions-list > [data-key]').count(), positions.length);

    if (config.requireLive) {
      await page.locator('#live[data-state="live"]').waitFor({ timeout: 15000 });
    }
    await screenshot(page, kind, 'positions');

    // "Square off all" says what it will do, and going back does nothing.
    await page.getByRole('button', { name: 'Square off all' }).click();
    const all = page.locator('#confirm');
    await all.waitFor({ state: 'visible' });
    await all.getByText('Cancel your pending orders that could add to a position').waitFor();
    for (const p of open) {
      await all.locator('.confirm-list li').getByText(`${exitSide(p)} ${fmtQty(p.squareoff_qty)} `, { exact: false }).first().waitFor();
    }
    await screenshot(page, kind, 'squareoff-all-confirm');
    await all.getByRole('button', { name: 'Go back' }).click();
    await all.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'squareoff-all', 'focus returns to the button');

    // Square off part of a position (a whole number of lots, less than all of it).
    const target = open.find((p) => p.squareoff_qty >= 2 * lot(p)) ?? open[0];
    const partial = target.squareoff_qty >= 2 * lot(target) ? lot(target) : target.squareoff_qty;
    const before = await netQtyText(page, target);
    assert.ok(before.startsWith(fmtQty(target.net_qty)), `card shows net qty ${before}`);
    await page.evaluate(() => {
      window.__irraNoReload = 'same page';
    });
    const action = await squareOff(page, kind, target, partial, null, true);

    // The fill arrives live: the card's net quantity changes without a reload.
    const expected = target.net_qty + (exitSide(target) === 'SELL' ? -partial : partial);
    await page.waitForFunction(
      ({ key, text }) => {
        const dd = document.querySelector(`#positions-list > [data-key="${key}"] .net-qty dd`);
        return dd && dd.textContent.trim().startsWith(text) && (text !== '0' || dd.textContent.trim() === '0');
      },
      { key: `${target.instrument}|${target.product}`, text: fmtQty(expected) },
      { timeout: LIVE_TIMEOUT },
    );
    assert.equal(await page.evaluate(() => window.__irraNoReload), 'same page', 'the page was not reloaded');
    // The status bar no longer says "waiting": it says the square-off is done.
    await page.locator('#status-text').getByText(`Done: ${action} filled.`).waitFor({ timeout: LIVE_TIMEOUT });
    await screenshot(page, kind, 'after-fill');

    // Make sure a pending order exists (a limit square-off away from the market), unless
    // one is already there; then cancel it from the order book.
    let orders = asList((await apiGet(context, '/orders')).body, 'orders');
    let pendingOrder = orders.find((o) => !FINAL.has(o.status));
    if (!pendingOrder) {
      const fresh = asList((await apiGet(context, '/positions')).body, 'positions').find(
        (p) => p.net_qty !== 0 && p.squareoff_qty >= lot(p) && typeof p.ltp === 'number' && tickAlignedAway(p),
      );
      if (fresh) {
        await squareOff(page, kind, fresh, lot(fresh), tickAlignedAway(fresh));
        const deadline = Date.now() + 10000;
        while (!pendingOrder && Date.now() < deadline) {
          orders = asList((await apiGet(context, '/orders')).body, 'orders');
          pendingOrder = orders.find((o) => !FINAL.has(o.status));
        }
      }
    }

    await page.getByRole('tab', { name: /Orders/ }).click();
    await page.locator('#orders-body > tr').first().waitFor();
    // Our filled square-off is in the book, from the backup site.
    await page
      .locator('#orders-body > tr')
      .filter({ hasText: 'Backup site' })
      .filter({ hasText: 'Filled' })
      .first()
      .waitFor({ timeout: LIVE_TIMEOUT });
    await screenshot(page, kind, 'orders');

    if (pendingOrder) {
      const row = page.locator(`#orders-body > tr[data-key="${pendingOrder.order_id}"]`);
      await row.getByRole('button', { name: /^Cancel order/ }).click();
      const confirm = page.locator('#confirm');
      await confirm.waitFor({ state: 'visible' });
      await screenshot(page, kind, 'cancel-confirm');
      await confirm.getByRole('button', { name: 'Cancel order' }).click();
      await confirm.waitFor({ state: 'hidden', timeout: 15000 });
      await page
        .locator(`#orders-body > tr[data-key="${pendingOrder.order_id}"] .badge`)
        .getByText('Cancelled')
        .waitFor({ timeout: LIVE_TIMEOUT });
      await page.locator('#status-text').getByText(/^Done: .* cancelled\.$/).waitFor({ timeout: LIVE_TIMEOUT });
      await screenshot(page, kind, 'cancelled');
    } else {
      test.diagnostic?.('no pending order to cancel');
    }

    // Every section opens; the tabs also work from the keyboard.
    await page.getByRole('tab', { name: 'Trades' }).click();
    await page.locator('#panel-trades').waitFor();
    await page.locator('#trades-body > tr').first().waitFor();
    await screenshot(page, kind, 'trades');
    await page.getByRole('tab', { name: 'Trades' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#panel-holdings').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Holdings' }).getAttribute('aria-selected'), 'true');
    await screenshot(page, kind, 'holdings');
    await page.keyboard.press('ArrowRight');
    await page.locator('#panel-funds').waitFor();
    await screenshot(page, kind, 'funds');
    await page.getByRole('tab', { name: /Positions/ }).click();
    await page.locator('#panel-positions').waitFor();

    if (kind === 'phone') {
      // Nothing may force sideways scrolling on the narrowest common phone.
      await page.setViewportSize({ width: 360, height: 780 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `page is ${overflow}px wider than a 360px screen`);
      await screenshot(page, kind, 'positions-360');
    }

    // Log out: back to the login screen, and the session is gone on the server too.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to close positions' }).waitFor();
    await page.getByText('You have logged out.').waitFor();
    assert.equal((await apiGet(context, '/session')).status, 401);
    await screenshot(page, kind, 'logged-out');

    assert.deepEqual(problems, [], 'no CSP violation and no uncaught error');
  } finally {
    await context.close();
  }
}

test('on a phone, an investor squares off part of a position and sees the fill live', { timeout: 240000 }, () =>
  investorJourney('phone'));

test('on a desktop, an investor squares off part of a position and sees the fill live', { timeout: 240000 }, () =>
  investorJourney('desktop'));
