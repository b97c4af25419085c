// The order book: status in words and as a badge, where the order came from (main site or
// this backup site), and Cancel on every order that is not final yet.

import { $, h, syncList, announce } from './dom.js';
import { money, qty, clock } from './format.js';
import { displayName } from './validate.js';
import { STATUS_WORDS, FINAL_STATUSES } from './messages.js';
import { confirmAction } from './confirm.js';
import { request, newIdempotencyKey } from './api.js';
import * as store from './store.js';
import { followOrders } from './outcome.js';

// Orders the broker's staff placed for the client (placed_by "staff" or "bulk").
const PLACED_BY_WORDS = { staff: "by broker's desk", bulk: 'broker square-off' };
const CANCEL_PENDING_MS = 20000; // after this, offer Cancel again if the order is still open
const cancelling = new Map(); // order_id -> time the cancel was accepted

export function initOrders() {
  store.on('orders', render);
}

function render() {
  const now = Date.now();
  for (const [id, t] of cancelling) if (now - t > CANCEL_PENDING_MS) cancelling.delete(id);
  const list = store.sortedOrders().map((o) => ({
    ...o,
    _cancelling: cancelling.has(String(o.order_id)) && !FINAL_STATUSES.has(o.status),
  }));
  syncList($('#orders-body'), list, (o) => String(o.order_id), row);
  $('#orders-empty').hidden = list.length > 0;
  $('#orders-table').hidden = list.length === 0;
  const open = list.filter((o) => !FINAL_STATUSES.has(o.status)).length;
  $('#count-orders').textContent = open ? `(${open} open)` : '';
}

// The value sits in one span so the phone layout (label left, value right) keeps it together.
function cell(label, ...content) {
  return h('td', { 'data-label': label }, h('span', { class: 'cell' }, ...content));
}
function numCell(label, ...content) {
  const td = cell(label, ...content);
  td.className = 'num';
  return td;
}

function priceText(o) {
  if (o.order_type === 'MARKET') {
    return typeof o.price === 'number' && o.price > 0 ? `Market (limit ${money(o.price)})` : 'Market';
  }
  return money(o.price);
}

function statusBadge(o) {
  const words = STATUS_WORDS[o.status] ?? String(o.status);
  return h(
    'span',
    { class: `badge status-${String(o.status).toLowerCase()}` },
    words,
  );
}

function row(o) {
  const id = String(o.order_id);
  const final = FINAL_STATUSES.has(o.status);
  let action = null;
  if (o._cancelling) {
    action = h('button', { type: 'button', class: 'btn btn-small btn-quiet', disabled: true, 'data-focus-id': 'cancel' }, 'Cancelling…');
  } else if (!final) {
    action = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-small btn-outline-danger',
        'data-focus-id': 'cancel',
        'aria-label': `Cancel order ${id}: ${o.side} ${o.qty} ${displayName(o)}`,
        onclick: (e) => cancelOrder(o, e.currentTarget),
      },
      'Cancel',
    );
  }
  return h(
    'tr',
    { class: final ? 'is-final' : '' },
    cell('Time', h('time', { datetime: o.placed_at ?? '' }, clock(o.placed_at))),
    cell('Instrument', h('span', { class: 'inst' }, displayName(o)), ' ', h('span', { class: 'tag' }, o.product)),
    cell('Side', h('span', { class: `side side-${String(o.side).toLowerCase()}` }, o.side)),
    numCell('Filled / Qty', `${qty(o.filled_qty ?? 0)} / ${qty(o.qty)}`),
    numCell('Price', priceText(o)),
    cell(
      'Status',
      statusBadge(o),
      o.reason && (o.status === 'REJECTED' || o.status === 'CANCELLED' || o.status === 'EXPIRED')
        ? h('span', { class: 'reason' }, o.reason)
        : null,
    ),
    cell(
      'Placed on',
      o.source === 'backup' ? 'Backup site' : o.source === 'main' ? 'Main site' : String(o.source ?? '—'),
      PLACED_BY_WORDS[o.placed_by] ? [' ', h('span', { class: 'tag tag-quiet placed-by' }, PLACED_BY_WORDS[o.placed_by])] : null,
    ),
    h('td', { class: 'actions', 'data-label': '' }, action),
  );
}

async function cancelOrder(o, button) {
  const id = String(o.order_id);
  const key = newIdempotencyKey();
  const remaining = (o.qty ?? 0) - (o.filled_qty ?? 0);
  const result = await confirmAction({
    title: 'Cancel this order?',
    body: [
      h('p', { class: 'confirm-action' }, `${o.side} ${qty(o.qty)} ${displayName(o)} ${o.product}`),
      h(
        'p',
        { class: 'muted' },
        (o.filled_qty > 0 ? `${qty(o.filled_qty)} is already filled; only the remaining ${qty(remaining)} is cancelled. ` : '') +
          `Order ${id}, placed on the ${o.source === 'main' ? 'main' : 'backup'} site.`,
      ),
    ],
    ok: 'Cancel order',
    fallbackFocus: button,
    action: () => request('POST', `/orders/${encodeURIComponent(id)}/cancel`, { body: {}, idempotencyKey: key }),
  });
  if (!result) return;
  // The 202 may carry the order (bare or as {"order": ...}); only a whole order object is kept.
  const answered = result && typeof result === 'object' ? (result.order ?? result) : null;
  if (answered && answered.instrument && STATUS_WORDS[answered.status]) store.upsertOrder(answered);
  cancelling.set(id, Date.now());
  render();
  setTimeout(render, CANCEL_PENDING_MS + 100);
  announce(`Cancel request sent for order ${id}. It shows as Cancelled once the exchange confirms.`, 'success');
  followOrders([id], { wanted: 'CANCELLED', what: 'The cancel' });
}
