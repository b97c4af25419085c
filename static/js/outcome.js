// Follows the orders of one action (a square-off, square-off-all or cancel) until the
// exchange has answered each of them, then replaces the "sent, waiting for the exchange"
// message with how it ended, so the status bar never says "waiting" about something done.

import { announce } from './dom.js';
import { qty } from './format.js';
import { FINAL_STATUSES } from './messages.js';
import { displayName } from './validate.js';
import * as store from './store.js';

const follows = new Set();
let listening = false;

/**
 * Watches `ids` (order ids); when every one is final, announces the outcome once.
 * `wanted` is the status the action hopes for ('FILLED' for a square-off, 'CANCELLED' for a
 * cancel): reaching it is a success, anything else (a reject, an expiry) is said plainly.
 */
export function followOrders(ids, { wanted = 'FILLED', what = 'Your order' } = {}) {
  const list = [...new Set(ids.map(String))].filter(Boolean);
  if (!list.length) return;
  follows.add({ ids: list, wanted, what });
  if (!listening) {
    listening = true;
    store.on('orders', check);
    store.on('client', (s) => {
      if (!s.client) follows.clear(); // logged out: nothing left to report
    });
  }
  check(store.get());
}

function check(state) {
  for (const f of [...follows]) {
    const orders = f.ids.map((id) => state.orders.get(id));
    if (orders.some((o) => !o || !FINAL_STATUSES.has(o.status))) continue;
    follows.delete(f);
    announce(...describe(f, orders));
  }
}

function line(o) {
  const name = `${o.side} ${qty(o.qty)} ${displayName(o)} ${o.product}`;
  switch (o.status) {
    case 'FILLED':
      return `${name} filled`;
    case 'CANCELLED':
      return o.filled_qty > 0 ? `${name}: ${qty(o.filled_qty)} filled, the rest cancelled` : `${name} cancelled`;
    case 'REJECTED':
      return `${name} rejected by the exchange${o.reason ? ` (${o.reason})` : ''}`;
    default:
      return `${name} ${String(o.status).toLowerCase()}`;
  }
}

function describe(f, orders) {
  const good = orders.every((o) => o.status === f.wanted || (f.wanted === 'CANCELLED' && o.status === 'FILLED'));
  const text = orders.map(line).join('; ');
  if (good) return [`Done: ${text}.`, 'success'];
  // A reject or expiry stays on screen until dismissed: the position is not closed.
  return [`${f.what} did not complete: ${text}. Check your positions.`, 'error'];
}
