// The square-off checks the server's risk gate also makes, done first in the browser so the
// investor sees a precise reason before anything is sent. The server stays the authority:
// a position can change between this check and the request (a fill, a main-site order).
// Pure functions, no DOM; test/browser/validate.test.mjs exercises them.

import { parsePricePaise, toPaise, money, qty as fmtQty } from './format.js';

/** 'SELL' closes a long position, 'BUY' closes a short one. */
export function exitSide(position) {
  return position.net_qty < 0 ? 'BUY' : 'SELL';
}

/** F&O (and currency/commodity) contracts trade in whole lots; equity lot size is 1. */
export function lotSize(position) {
  const lot = Number(position.lot_size);
  return Number.isInteger(lot) && lot > 1 ? lot : 1;
}

/**
 * Checks a quantity typed by the investor against what may still be squared off.
 * Returns { ok: true, qty } or { ok: false, message }.
 */
export function checkQuantity(position, text) {
  const s = String(text ?? '').trim().replace(/,/g, '');
  if (s === '') return { ok: false, message: 'Enter a quantity.' };
  if (!/^\d{1,12}$/.test(s)) return { ok: false, message: 'Quantity must be a whole number.' };
  const q = Number(s);
  if (q <= 0) return { ok: false, message: 'Quantity must be more than zero.' };
  const max = Math.max(0, Number(position.squareoff_qty) || 0);
  if (max === 0) {
    return {
      ok: false,
      message: 'Nothing left to square off: the whole position already has exit orders pending.',
    };
  }
  if (q > max) {
    const pending = Number(position.pending_exit_qty) || 0;
    return {
      ok: false,
      message:
        `You can square off at most ${fmtQty(max)}` +
        (pending > 0 ? ` (${fmtQty(pending)} is already pending to exit).` : '.'),
    };
  }
  const lot = lotSize(position);
  if (q % lot !== 0) {
    return {
      ok: false,
      message: `Quantity must be a whole number of lots: a multiple of ${fmtQty(lot)}.`,
    };
  }
  return { ok: true, qty: q };
}

/**
 * Checks a limit price: on the tick grid and inside the day's band.
 * Returns { ok: true, paise } or { ok: false, message }.
 */
export function checkLimitPrice(position, text) {
  if (String(text ?? '').trim() === '') return { ok: false, message: 'Enter a limit price.' };
  const paise = parsePricePaise(text);
  if (paise === null) {
    return { ok: false, message: 'Enter the price in rupees, with at most two decimals.' };
  }
  if (paise <= 0) return { ok: false, message: 'Price must be more than zero.' };
  const tick = toPaise(position.tick_size);
  if (tick !== null && tick > 0 && paise % tick !== 0) {
    return {
      ok: false,
      message: `Price must be a multiple of the tick size, ${money(position.tick_size)}.`,
    };
  }
  const lower = toPaise(position.lower_band);
  const upper = toPaise(position.upper_band);
  if ((lower !== null && paise < lower) || (upper !== null && paise > upper)) {
    return {
      ok: false,
      message: `Price must be within today's price band, ${money(position.lower_band)} to ${money(
        position.upper_band,
      )}.`,
    };
  }
  return { ok: true, paise };
}

/** How many orders a quantity becomes when it is above the exchange's freeze quantity. */
export function sliceCount(position, q) {
  const freeze = Number(position.freeze_qty);
  if (!Number.isInteger(freeze) || freeze <= 0) return 1;
  return Math.ceil(q / freeze);
}

/** "SELL 50 NIFTY24DECFUT NRML" — the action restated in the trade's own words. */
export function describeAction(position, q) {
  return `${exitSide(position)} ${fmtQty(q)} ${displayName(position)} ${position.product}`;
}

/** "NSE:NIFTY24DECFUT" → "NIFTY24DECFUT"; the symbol when the server gives it. */
export function displayName(row) {
  if (row.symbol) return row.symbol;
  const id = String(row.instrument ?? '');
  const colon = id.indexOf(':');
  return colon >= 0 ? id.slice(colon + 1) : id;
}

/** Positions are keyed by instrument and product, as the server keys them. */
export function positionKey(p) {
  return `${p.instrument}|${p.product}`;
}
