// The browser's own square-off checks and number formatting (static/js/validate.js and
// format.js), run in node: the same ES modules the page loads, no browser needed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkQuantity,
  checkLimitPrice,
  describeAction,
  exitSide,
  sliceCount,
} from '../../static/js/validate.js';
import { money, signedMoney, parsePricePaise, qty } from '../../static/js/format.js';

const nifty = {
  instrument: 'NSE:NIFTY24DECFUT', symbol: 'NIFTY24DECFUT', product: 'NRML', net_qty: 150,
  pending_exit_qty: 50, squareoff_qty: 100, lot_size: 50, tick_size: 0.05, freeze_qty: 1800,
  lower_band: 21600, upper_band: 26400,
};
const shortEq = {
  instrument: 'NSE:RELIANCE', product: 'MIS', net_qty: -40, pending_exit_qty: 0, squareoff_qty: 40,
  lot_size: 1, tick_size: 0.05, freeze_qty: 25, lower_band: 1150.5, upper_band: 1406.2,
};

test('a quantity above what may be squared off is refused, naming what is pending', () => {
  const r = checkQuantity(nifty, '150');
  assert.equal(r.ok, false);
  assert.match(r.message, /at most 100 \(50 is already pending to exit\)/);
  assert.deepEqual(checkQuantity(nifty, '100'), { ok: true, qty: 100 });
});

test('an F&O quantity must be a whole number of lots', () => {
  assert.match(checkQuantity(nifty, '60').message, /multiple of 50/);
  assert.deepEqual(checkQuantity(nifty, '50'), { ok: true, qty: 50 });
});

test('zero, negative, fractional and empty quantities are refused', () => {
  for (const bad of ['0', '-50', '50.5', '', 'abc', '1e3']) assert.equal(checkQuantity(nifty, bad).ok, false, bad);
});

test('nothing can be squared off when the whole position is pending to exit', () => {
  const r = checkQuantity({ ...nifty, squareoff_qty: 0, pending_exit_qty: 150 }, '50');
  assert.equal(r.ok, false);
  assert.match(r.message, /already has exit orders pending/);
});

test('a limit price must sit on the tick grid and inside the band', () => {
  assert.deepEqual(checkLimitPrice(nifty, '24000.05'), { ok: true, paise: 2400005 });
  assert.match(checkLimitPrice(nifty, '24000.03').message, /tick size, ₹0.05/);
  assert.match(checkLimitPrice(nifty, '26400.05').message, /price band/);
  assert.match(checkLimitPrice(nifty, '21599.95').message, /price band/);
  assert.equal(checkLimitPrice(nifty, '24000.123').ok, false);
  assert.equal(checkLimitPrice(nifty, '').ok, false);
});

test('prices are parsed to integer paise without floating-point rounding', () => {
  assert.equal(parsePricePaise('0.29'), 29);
  assert.equal(parsePricePaise('1,406.2'), 140620);
  assert.equal(parsePricePaise('2450'), 245000);
  assert.equal(parsePricePaise('-1'), null);
  assert.equal(parsePricePaise('1.2.3'), null);
});

test('the action is restated as side, quantity, symbol and product', () => {
  assert.equal(describeAction(nifty, 50), 'SELL 50 NIFTY24DECFUT NRML');
  assert.equal(exitSide(shortEq), 'BUY');
  assert.equal(describeAction(shortEq, 40), 'BUY 40 RELIANCE MIS');
});

test('a quantity above the freeze quantity becomes several slices', () => {
  assert.equal(sliceCount(shortEq, 40), 2);
  assert.equal(sliceCount(shortEq, 25), 1);
});

test('money uses Indian digit grouping and P&L carries a sign, not colour alone', () => {
  assert.equal(money(1234567.5), '₹12,34,567.50');
  assert.equal(signedMoney(1200), '+₹1,200.00');
  assert.equal(signedMoney(-350.5), '\u2212₹350.50');
  assert.equal(signedMoney(0), '₹0.00');
  assert.equal(qty(-1500), '\u22121,500');
  assert.equal(money(null), '—');
});
