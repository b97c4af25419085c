// Net positions as cards (they read well on a 360 px phone and tile on a desktop), with
// a Square off button per open position and "Square off all".

import { $, h, syncList, announce } from './dom.js';
import { money, signedMoney, pnlTone, qty, toPaise } from './format.js';
import { displayName, lotSize, positionKey, describeAction } from './validate.js';
import { confirmAction, lines } from './confirm.js';
import { request, newIdempotencyKey, asList } from './api.js';
import { openTicket } from './ticket.js';
import * as store from './store.js';
import { followOrders } from './outcome.js';

export function initPositions() {
  store.on('positions', render);
  $('#squareoff-all').addEventListener('click', squareOffAll);
}

function render() {
  const list = store.sortedPositions();
  syncList($('#positions-list'), list, positionKey, card);
  $('#positions-empty').hidden = list.length > 0;
  const open = list.filter((p) => p.net_qty !== 0);
  const all = $('#squareoff-all');
  all.disabled = !open.some((p) => p.squareoff_qty > 0);
  $('#count-positions').textContent = open.length ? `(${open.length})` : '';
  renderTotals(list, open.length);
}

function renderTotals(list, openCount) {
  let realized = 0;
  let unrealized = 0;
  for (const p of list) {
    realized += toPaise(p.realized_pnl) ?? 0;
    unrealized += toPaise(p.unrealized_pnl) ?? 0;
  }
  const total = (realized + unrealized) / 100;
  const el = $('#positions-totals');
  el.hidden = list.length === 0;
  el.replaceChildren(
    h('span', {}, `${openCount} open · Total P&L `),
    h('strong', { class: `pnl ${pnlTone(total)}` }, signedMoney(total)),
    h('span', { class: 'muted' }, ` (realized ${signedMoney(realized / 100)}, unrealized ${signedMoney(unrealized / 100)})`),
  );
}

function domId(p) {
  return 'pos-' + positionKey(p).replace(/[^A-Za-z0-9_-]/g, '_');
}

function direction(p) {
  if (p.net_qty > 0) return h('span', { class: 'dir long' }, 'Long');
  if (p.net_qty < 0) return h('span', { class: 'dir short' }, 'Short');
  return h('span', { class: 'dir closed' }, 'Closed');
}

function item(label, value, cls = '') {
  return h('div', { class: `kv-item ${cls}` }, h('dt', {}, label), h('dd', {}, value));
}

function card(p) {
  const id = domId(p);
  const lot = lotSize(p);
  const isOpen = p.net_qty !== 0;
  const netText = qty(p.net_qty) + (lot > 1 && isOpen ? ` (${qty(Math.abs(p.net_qty) / lot)} lot${Math.abs(p.net_qty) / lot === 1 ? '' : 's'})` : '');
  const exchange = [p.exchange, p.segment].filter(Boolean).join(' · ');

  let action;
  if (!isOpen) {
    action = h('p', { class: 'muted small' }, 'Position closed.');
  } else if (p.squareoff_qty > 0) {
    action = h(
      'button',
      {
        type: 'button',
        class: 'btn btn-danger',
        'data-focus-id': 'squareoff',
        'aria-describedby': `${id}-title`,
        onclick: () => openTicket(positionKey(p)),
      },
      `Square off`,
    );
  } else {
    action = h('p', { class: 'pending-note' }, 'Exit orders are pending for the whole position.');
  }

  return h(
    'article',
    { class: `pos-card${isOpen ? '' : ' is-closed'}`, 'aria-labelledby': `${id}-title`, id },
    h(
      'header',
      { class: 'pos-head' },
      h('h3', { id: `${id}-title` }, displayName(p), h('span', { class: 'visually-hidden' }, ` ${p.product}`)),
      h('span', { class: 'tags' }, h('span', { class: 'tag' }, p.product), exchange ? h('span', { class: 'tag tag-quiet' }, exchange) : null, direction(p)),
    ),
    h(
      'dl',
      { class: 'pos-grid' },
      item('Net qty', netText, 'net-qty'),
      item('Avg price', money(p.avg_price)),
      item('Last price', money(p.ltp)),
      item('Unrealized P&L', h('span', { class: `pnl ${pnlTone(p.unrealized_pnl)}` }, signedMoney(p.unrealized_pnl))),
      item('Realized P&L', h('span', { class: `pnl ${pnlTone(p.realized_pnl)}` }, signedMoney(p.realized_pnl))),
      item('Pending exit', qty(p.pending_exit_qty ?? 0), p.pending_exit_qty ? 'has-pending' : ''),
    ),
    h('div', { class: 'pos-actions' }, isOpen ? h('p', { class: 'small muted can-exit' }, `Can square off: ${qty(p.squareoff_qty ?? 0)}`) : null, action),
  );
}

async function squareOffAll() {
  const open = store.sortedPositions().filter((p) => p.net_qty !== 0 && p.squareoff_qty > 0);
  if (!open.length) return;
  const key = newIdempotencyKey();
  const body = [
    h('p', {}, 'This will close every open position, in two steps:'),
    h(
      'ol',
      { class: 'steps' },
      h('li', {}, 'Cancel your pending orders that could add to a position if they filled (including orders from the main site).'),
      h('li', {}, `Send one square-off per open position (${open.length}):`),
    ),
    lines(open.map((p) => `${describeAction(p, p.squareoff_qty)} at market`)),
    h('p', { class: 'muted small' }, 'Market square-offs are sent as limit orders close to the last price. A position shows as closed only once the exchange confirms it.'),
  ];
  const result = await confirmAction({
    title: 'Square off all positions?',
    body,
    ok: 'Square off all',
    fallbackFocus: $('#squareoff-all'),
    action: () => request('POST', '/positions/square-off-all', { body: {}, idempotencyKey: key }),
  });
  if (!result) return;
  const cancelled = asList(result.cancelled, 'cancelled');
  const orders = asList(result.orders, 'orders');
  for (const o of [...cancelled, ...orders]) if (o && typeof o === 'object') store.upsertOrder(o);
  announce(
    `Square off all sent: ${orders.length} square-off order${orders.length === 1 ? '' : 's'}` +
      (cancelled.length ? `, ${cancelled.length} pending order${cancelled.length === 1 ? '' : 's'} cancelled` : '') +
      '. Positions update as the exchange confirms.',
    'success',
  );
  followOrders(orders.map((o) => o?.order_id), { what: 'Square off all' });
}

