// The view-only books: trades, holdings and funds.

import { $, h, syncList } from './dom.js';
import { money, qty, clock, toPaise, signedMoney, pnlTone } from './format.js';
import { displayName } from './validate.js';
import * as store from './store.js';

export function initBooks() {
  store.on('trades', renderTrades);
  store.on('holdings', renderHoldings);
  store.on('funds', renderFunds);
}

const cell = (label, ...content) => h('td', { 'data-label': label }, h('span', { class: 'cell' }, ...content));
const numCell = (label, ...content) => h('td', { 'data-label': label, class: 'num' }, h('span', { class: 'cell' }, ...content));

function renderTrades() {
  const list = store.sortedTrades();
  syncList($('#trades-body'), list, (t) => String(t.trade_id), (t) =>
    h(
      'tr',
      {},
      cell('Time', h('time', { datetime: t.time ?? '' }, clock(t.time))),
      cell('Instrument', h('span', { class: 'inst' }, displayName(t))),
      cell('Side', h('span', { class: `side side-${String(t.side).toLowerCase()}` }, t.side)),
      numCell('Qty', qty(t.qty)),
      numCell('Price', money(t.price)),
      cell('Order', h('span', { class: 'mono' }, String(t.order_id ?? '—'))),
    ),
  );
  $('#trades-empty').hidden = list.length > 0;
  $('#trades-table').hidden = list.length === 0;
}

function holdingValue(x) {
  if (typeof x.value === 'number') return x.value;
  const price = typeof x.ltp === 'number' ? x.ltp : x.avg_price;
  const p = toPaise(price);
  return p === null || typeof x.qty !== 'number' ? null : (p * x.qty) / 100;
}

function renderHoldings() {
  const list = store.get().holdings;
  syncList($('#holdings-body'), list, (x) => String(x.instrument ?? x.instrument_id), (x) =>
    h(
      'tr',
      {},
      cell('Instrument', h('span', { class: 'inst' }, displayName({ ...x, instrument: x.instrument ?? x.instrument_id }))),
      numCell('Qty', qty(x.qty)),
      numCell('Avg price', money(x.avg_price)),
      numCell('Last price', money(x.ltp ?? null)),
      numCell('Value', money(holdingValue(x))),
    ),
  );
  $('#holdings-empty').hidden = list.length > 0;
  $('#holdings-table').hidden = list.length === 0;
}

// Known fund fields first, in an order that reads top to bottom; anything else the server
// adds is shown after them with its name made readable.
const FUND_LABELS = [
  ['opening_balance', 'Opening balance'],
  ['payin', 'Added today'],
  ['payout', 'Withdrawn today'],
  ['realized_pnl', 'Realized P&L today'],
  ['unrealized_pnl', 'Unrealized P&L'],
  ['margin_used', 'Margin used'],
  ['collateral', 'Collateral (pledged holdings)'],
  ['available', 'Available'],
  ['available_margin', 'Available margin'],
  ['net', 'Net'],
];
const PNL_FIELDS = new Set(['realized_pnl', 'unrealized_pnl']);

function renderFunds() {
  const f = store.get().funds;
  const dl = $('#funds-list');
  const items = [];
  if (f && typeof f === 'object') {
    const seen = new Set(['ucc']);
    for (const [k, label] of FUND_LABELS) {
      if (k in f) {
        seen.add(k);
        items.push([k, label, f[k]]);
      }
    }
    for (const [k, v] of Object.entries(f)) {
      if (!seen.has(k) && (typeof v === 'number' || typeof v === 'string')) {
        items.push([k, k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), v]);
      }
    }
  }
  dl.replaceChildren(
    ...items.map(([k, label, v]) =>
      h(
        'div',
        { class: 'kv-item' },
        h('dt', {}, label),
        h(
          'dd',
          {},
          typeof v !== 'number'
            ? String(v)
            : PNL_FIELDS.has(k)
              ? h('span', { class: `pnl ${pnlTone(v)}` }, signedMoney(v))
              : money(v),
        ),
      ),
    ),
  );
  $('#funds-empty').hidden = items.length > 0;
}
