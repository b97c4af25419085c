// One client's view: facts, positions, orders (with who placed them), trades, holdings and
// funds, kept current by the stream's events for this UCC (and a re-read while an action's
// orders are still working). Dealers and above act for the client: square off one
// position, square off all, cancel an order — each through the action dialog.

import { $, h, syncList, announce } from '../js/dom.js';
import { money, signedMoney, pnlTone, qty, clock, when } from '../js/format.js';
import { displayName, positionKey, exitSide } from '../js/validate.js';
import { STATUS_WORDS, FINAL_STATUSES } from '../js/messages.js';
import { request, asList, describeError } from './api.js';
import { onEvent } from './feed.js';
import { actionDialog, lines } from './dialogs.js';
import { describeOrder, PLACED_BY, restateSquareOff } from './words.js';
import * as session from './session.js';

const FOLLOW_POLL_MS = 2000;
const FOLLOW_MAX_MS = 120000;
const MAX_OUTCOMES = 20;

let ucc = null;
let view = emptyView();
let loadSeq = 0;
let followTimer = null;
let followUntil = 0;
const outcomes = []; // { id, ucc, text, ok, message, orderIds }
let outcomeSeq = 0;

function emptyView() {
  return { client: null, positions: new Map(), orders: new Map(), trades: new Map(), holdings: [], funds: null };
}

const path = (rest) => `/clients/${encodeURIComponent(ucc)}${rest}`;

export function initClient() {
  $('#client-refresh').addEventListener('click', () => load());
  $('#client-squareoff-all').addEventListener('click', (e) => squareOffAll(e.currentTarget));
  onEvent('open', () => {
    if (ucc) load(); // nothing missed while the stream was down
  });
  onEvent('order', (o) => {
    if (o.ucc !== ucc) return;
    remember('order', o);
    if (upsertOrder(o)) renderOrders();
  });
  onEvent('trade', (t) => {
    if (t.ucc !== ucc || t.trade_id === undefined) return;
    remember('trade', t);
    applyEvent('trade', t);
    renderTrades();
  });
  onEvent('position', (p) => {
    if (p.ucc !== ucc || !p.instrument || typeof p.net_qty !== 'number') return;
    remember('position', p);
    applyEvent('position', p);
    renderPositions();
  });
}

// Events seen while a snapshot was on its way are applied again on top of it: a GET that
// the server answered just before a fill must not undo the fill's "position" event.
const RECENT_MAX = 500;
let eventSeq = 0;
let recent = [];

function remember(kind, obj) {
  recent.push({ seq: ++eventSeq, kind, obj });
  if (recent.length > RECENT_MAX) recent = recent.slice(-RECENT_MAX);
}

function applyEvent(kind, obj) {
  if (kind === 'order') upsertOrder(obj);
  else if (kind === 'trade') view.trades.set(String(obj.trade_id), obj);
  else if (kind === 'position') view.positions.set(positionKey(obj), obj);
}

/** Shows the client `code` (null: the empty area, or the one already open). */
export function openClient(code) {
  const next = code ? code.trim().toUpperCase() : ucc;
  if (!next) {
    $('#client-none').hidden = false;
    $('#client-body').hidden = true;
    return;
  }
  if (next !== ucc) {
    ucc = next;
    view = emptyView();
    recent = [];
    clearInterval(followTimer);
    followTimer = null;
    renderAll();
  }
  $('#client-none').hidden = true;
  load(true);
}

async function load(focus = false) {
  if (!ucc) return;
  const mine = ++loadSeq;
  const since = eventSeq;
  const get = (p) => request('GET', path(p));
  const [client, positions, orders, trades, holdings, funds] = await Promise.allSettled([
    get(''),
    get('/positions'),
    get('/orders'),
    get('/trades'),
    get('/holdings'),
    get('/funds'),
  ]);
  if (mine !== loadSeq) return;
  if (client.status === 'rejected') {
    const err = client.reason;
    $('#client-error').textContent = err.code === 'not_found' ? `There is no client ${ucc}.` : describeError(err);
    $('#client-error').hidden = false;
    $('#client-body').hidden = true;
    $('#client-title').textContent = `Client ${ucc}`;
    return;
  }
  $('#client-error').hidden = true;
  view.client = client.value?.client ?? client.value;
  if (positions.status === 'fulfilled') view.positions = new Map(asList(positions.value, 'positions').map((p) => [positionKey(p), p]));
  if (orders.status === 'fulfilled') {
    const fresh = new Map();
    for (const o of asList(orders.value, 'orders')) {
      const old = view.orders.get(String(o.order_id));
      fresh.set(String(o.order_id), old && isOlder(o, old) ? old : o);
    }
    view.orders = fresh;
  }
  if (trades.status === 'fulfilled') view.trades = new Map(asList(trades.value, 'trades').map((t) => [String(t.trade_id), t]));
  if (holdings.status === 'fulfilled') view.holdings = asList(holdings.value, 'holdings');
  if (funds.status === 'fulfilled') view.funds = funds.value?.funds ?? funds.value;
  for (const e of recent) if (e.seq > since) applyEvent(e.kind, e.obj);
  renderAll();
  if (focus) $('#client-title').focus?.();
}

// ---- orders: a newer copy is never replaced by an older one (the 202 may come after the stream)
const RANK = { PENDING: 0, OPEN: 1, PARTIALLY_FILLED: 2 };
const rank = (o) => RANK[o.status] ?? 3;
function isOlder(o, old) {
  if (o.updated_at && old.updated_at && o.updated_at !== old.updated_at) return o.updated_at < old.updated_at;
  if (rank(o) !== rank(old)) return rank(o) < rank(old);
  return (o.filled_qty ?? 0) < (old.filled_qty ?? 0);
}

function upsertOrder(o) {
  if (!o || o.order_id === undefined || !o.instrument || !o.status) return false;
  const id = String(o.order_id);
  const old = view.orders.get(id);
  if (old && isOlder(o, old)) return false;
  view.orders.set(id, o);
  return true;
}

// ---- rendering
function renderAll() {
  const c = view.client;
  $('#client-title').textContent = c ? `${c.ucc} · ${c.name ?? ''}` : `Client ${ucc ?? ''}`;
  $('#client-title').setAttribute('tabindex', '-1');
  $('#client-body').hidden = !c;
  $('#client-refresh').hidden = !c;
  $('#client-squareoff-all').hidden = !c;
  if (c) {
    const fact = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value ?? '—'));
    $('#client-facts').replaceChildren(
      fact('UCC', c.ucc),
      fact('Name', c.name),
      fact('PAN', c.pan),
      fact('Mobile', c.mobile),
      fact('Email', c.email),
      fact('Eligible', c.eligible === false ? 'No' : c.eligible === true ? 'Yes' : '—'),
    );
  }
  renderPositions();
  renderOrders();
  renderTrades();
  renderHoldings();
  renderFunds();
  renderOutcomes();
}

function numCell(value, cls = '') {
  return h('td', { class: `num ${cls}`.trim() }, value);
}

function renderPositions() {
  const list = Array.from(view.positions.values()).sort((a, b) => {
    const ao = a.net_qty !== 0;
    const bo = b.net_qty !== 0;
    if (ao !== bo) return ao ? -1 : 1;
    return String(a.instrument).localeCompare(String(b.instrument)) || String(a.product).localeCompare(String(b.product));
  });
  const open = list.filter((p) => p.net_qty !== 0).length;
  $('#cpos-count').textContent = list.length ? `(${open} open)` : '';
  $('#cpos-empty').hidden = list.length > 0;
  $('#cpos-table').hidden = list.length === 0;
  const dealer = session.can('dealer');
  syncList($('#cpos-body'), list, positionKey, (p) =>
    h(
      'tr',
      { class: p.net_qty === 0 ? 'is-final' : '' },
      h('td', {}, h('span', { class: 'inst' }, displayName(p)), ' ', h('span', { class: 'muted small' }, p.segment ?? '')),
      h('td', {}, h('span', { class: 'tag' }, p.product)),
      numCell(qty(p.net_qty)),
      numCell(money(p.avg_price)),
      numCell(money(p.ltp)),
      numCell(signedMoney(p.realized_pnl), pnlTone(p.realized_pnl)),
      numCell(signedMoney(p.unrealized_pnl), pnlTone(p.unrealized_pnl)),
      numCell(p.pending_exit_qty ? qty(p.pending_exit_qty) : '—'),
      numCell(qty(p.squareoff_qty ?? 0)),
      numCell(`${qty(p.lot_size ?? 1)} / ${p.freeze_qty ? qty(p.freeze_qty) : '—'}`),
      h(
        'td',
        { class: 'actions' },
        dealer && p.net_qty !== 0 && (p.squareoff_qty ?? 0) > 0
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn btn-outline-danger btn-tiny',
                'data-min-role': 'dealer',
                'data-focus-id': 'squareoff',
                'aria-label': `Square off ${displayName(p)} ${p.product}`,
                onclick: (e) => squareOff(positionKey(p), e.currentTarget),
              },
              'Square off…',
            )
          : null,
      ),
    ),
  );
}

function sortedOrders() {
  return Array.from(view.orders.values()).sort(
    (a, b) => String(b.placed_at ?? '').localeCompare(String(a.placed_at ?? '')) || String(b.order_id).localeCompare(String(a.order_id)),
  );
}

function placedBy(o) {
  if (!o.placed_by) return h('span', { class: 'muted' }, o.source === 'main' ? 'main site' : '—');
  const word = PLACED_BY[o.placed_by] ?? o.placed_by;
  return h('span', { class: `tag ${o.placed_by === 'staff' ? 'tag-desk' : o.placed_by === 'bulk' ? 'tag-bulk' : ''}`.trim() }, word);
}

function renderOrders() {
  const list = sortedOrders();
  const pending = list.filter((o) => !FINAL_STATUSES.has(o.status)).length;
  $('#cord-count').textContent = list.length ? `(${list.length}; ${pending} working)` : '';
  $('#cord-empty').hidden = list.length > 0;
  $('#cord-table').hidden = list.length === 0;
  const dealer = session.can('dealer');
  syncList($('#cord-body'), list, (o) => String(o.order_id), (o) => {
    const final = FINAL_STATUSES.has(o.status);
    return h(
      'tr',
      { class: final ? 'is-final' : '' },
      h('td', {}, h('time', { datetime: o.placed_at ?? '' }, clock(o.placed_at))),
      h('td', { class: 'mono' }, String(o.order_id)),
      h('td', {}, h('span', { class: 'inst' }, displayName(o)), ' ', h('span', { class: 'tag' }, o.product ?? '')),
      h('td', {}, h('span', { class: `side side-${String(o.side).toLowerCase()}` }, o.side)),
      numCell(`${qty(o.filled_qty ?? 0)} / ${qty(o.qty)}`),
      numCell(o.order_type === 'MARKET' && !(o.price > 0) ? 'Market' : money(o.price)),
      h('td', {}, o.order_type ?? ''),
      h(
        'td',
        {},
        h('span', { class: `badge status-${String(o.status).toLowerCase()}` }, STATUS_WORDS[o.status] ?? String(o.status)),
        o.reason && (o.status === 'REJECTED' || o.status === 'CANCELLED' || o.status === 'EXPIRED') ? h('span', { class: 'reason' }, o.reason) : null,
      ),
      h('td', {}, o.source === 'backup' ? 'backup' : o.source === 'main' ? 'main' : String(o.source ?? '—')),
      h('td', { class: 'placed-by' }, placedBy(o)),
      h(
        'td',
        { class: 'actions' },
        dealer && !final
          ? h(
              'button',
              {
                type: 'button',
                class: 'btn btn-outline-danger btn-tiny',
                'data-min-role': 'dealer',
                'data-focus-id': 'cancel',
                'aria-label': `Cancel order ${o.order_id}`,
                onclick: (e) => cancelOrder(String(o.order_id), e.currentTarget),
              },
              'Cancel…',
            )
          : null,
      ),
    );
  });
  renderOutcomes();
}

function renderTrades() {
  const list = Array.from(view.trades.values()).sort((a, b) => String(b.time ?? '').localeCompare(String(a.time ?? '')));
  $('#ctrd-empty').hidden = list.length > 0;
  $('#ctrd-table').hidden = list.length === 0;
  syncList($('#ctrd-body'), list, (t) => String(t.trade_id), (t) =>
    h(
      'tr',
      {},
      h('td', {}, h('time', { datetime: t.time ?? '' }, clock(t.time))),
      h('td', { class: 'mono' }, String(t.trade_id)),
      h('td', { class: 'mono' }, String(t.order_id ?? '')),
      h('td', {}, h('span', { class: 'inst' }, displayName(t))),
      h('td', {}, h('span', { class: `side side-${String(t.side).toLowerCase()}` }, t.side)),
      numCell(qty(t.qty)),
      numCell(money(t.price)),
    ),
  );
}

function renderHoldings() {
  const list = view.holdings ?? [];
  $('#chold-empty').hidden = list.length > 0;
  $('#chold-table').hidden = list.length === 0;
  $('#chold-body').replaceChildren(
    ...list.map((r) =>
      h(
        'tr',
        {},
        h('td', {}, h('span', { class: 'inst' }, displayName({ ...r, instrument: r.instrument ?? r.instrument_id }))),
        numCell(qty(r.qty)),
        numCell(money(r.avg_price)),
        numCell(money(r.ltp)),
        numCell(money(r.value ?? (typeof r.ltp === 'number' && typeof r.qty === 'number' ? r.ltp * r.qty : undefined))),
      ),
    ),
  );
}

const FUND_LABELS = {
  opening_balance: 'Opening balance',
  payin: 'Pay-in today',
  payout: 'Pay-out today',
  margin_used: 'Margin used',
  collateral: 'Collateral',
  realized_pnl: 'Realised P&L',
  unrealized_pnl: 'Unrealised P&L',
  available: 'Available',
};

function renderFunds() {
  const f = view.funds && typeof view.funds === 'object' ? view.funds : null;
  const entries = f ? Object.entries(f).filter(([, v]) => typeof v === 'number') : [];
  $('#cfund-empty').hidden = entries.length > 0;
  $('#cfund-list').hidden = entries.length === 0;
  $('#cfund-list').replaceChildren(
    ...entries.flatMap(([k, v]) => [h('dt', {}, FUND_LABELS[k] ?? k.replace(/_/g, ' ')), h('dd', {}, money(v))]),
  );
}

// ---- outcomes of this session's actions, with their orders' live status
function addOutcome(o) {
  outcomes.unshift({ id: ++outcomeSeq, at: new Date().toISOString(), ...o });
  outcomes.length = Math.min(outcomes.length, MAX_OUTCOMES);
  renderOutcomes();
  return outcomes[0];
}

function renderOutcomes() {
  const mine = outcomes.filter((o) => o.ucc === ucc);
  // Say once, in the status bar, how each accepted action ended.
  for (const o of mine) {
    if (!o.ok || o.told || !o.orderIds?.length) continue;
    const orders = o.orderIds.map((id) => view.orders.get(id));
    if (orders.some((x) => !x || !FINAL_STATUSES.has(x.status))) continue;
    o.told = true;
    const filled = orders.every((x) => x.status === 'FILLED' || (o.cancelIds.includes(String(x.order_id)) && x.status === 'CANCELLED'));
    const words = orders.map((x) => `${x.order_id} ${STATUS_WORDS[x.status] ?? x.status}${x.reason ? ` (${x.reason})` : ''}`).join(', ');
    announce(`${filled ? 'Done' : 'Finished, not as asked'}: ${o.text} — ${words}.`, filled ? 'success' : 'error');
  }
  $('#outcomes').hidden = mine.length === 0;
  $('#outcome-list').replaceChildren(
    ...mine.map((o) => {
      const orders = (o.orderIds ?? []).map((id) => view.orders.get(id) ?? { order_id: id, status: 'PENDING' });
      const done = orders.length > 0 && orders.every((x) => FINAL_STATUSES.has(x.status));
      return h(
        'li',
        { 'data-outcome': String(o.id), 'data-state': !o.ok ? 'refused' : done ? 'done' : 'working' },
        h('span', { class: `outcome-head ${o.ok ? 'outcome-accepted' : 'outcome-refused'}` }, `${clock(o.at)} ${o.ok ? 'Accepted' : 'Refused'}: ${o.text}`),
        o.message ? h('span', { class: 'reason' }, o.message) : null,
        orders.length
          ? h(
              'span',
              { class: 'outcome-orders' },
              orders.map((x) =>
                h(
                  'span',
                  { 'data-order': String(x.order_id) },
                  `${x.order_id}: `,
                  h('span', { class: `badge status-${String(x.status).toLowerCase()}` }, STATUS_WORDS[x.status] ?? String(x.status)),
                  x.qty ? ` ${qty(x.filled_qty ?? 0)} / ${qty(x.qty)}` : '',
                ),
              ),
            )
          : null,
      );
    }),
  );
}

/** Orders from a 202 answer ({"orders": [...]}, {"cancelled": [...]}, {"order": ...} or bare). */
function ordersOf(result) {
  const out = [];
  if (!result || typeof result !== 'object') return out;
  for (const key of ['orders', 'cancelled']) {
    for (const o of Array.isArray(result[key]) ? result[key] : []) if (o && typeof o === 'object') out.push(o);
  }
  if (result.order && typeof result.order === 'object') out.push(result.order);
  if (result.order_id !== undefined && result.status) out.push(result);
  return out;
}

/** Re-reads orders, positions and trades every 2 s while any followed order is working. */
function follow() {
  followUntil = Date.now() + FOLLOW_MAX_MS;
  if (followTimer) return;
  const tick = async () => {
    const working = outcomes.some((o) => o.ucc === ucc && (o.orderIds ?? []).some((id) => !FINAL_STATUSES.has(view.orders.get(id)?.status)));
    if (!ucc || !working || Date.now() > followUntil) {
      clearInterval(followTimer);
      followTimer = null;
      if (ucc && !working) load(); // one last read: positions and trades after the fills
      return;
    }
    await load();
  };
  followTimer = setInterval(tick, FOLLOW_POLL_MS);
}

/** `result` is the 202 answer; orders in its "cancelled" list (or `cancelIds`) should end CANCELLED. */
function accepted(text, result, cancelIds = []) {
  const list = ordersOf(result);
  const cancels = [...cancelIds, ...(Array.isArray(result?.cancelled) ? result.cancelled : []).map((c) => String(c?.order_id ?? c))];
  for (const o of list) upsertOrder(o);
  announce(`Accepted: ${text}.`, 'success');
  addOutcome({ ucc, text, ok: true, cancelIds: cancels, orderIds: list.map((o) => String(o.order_id)) });
  renderOrders();
  follow();
  load();
}

function refused(text, err) {
  addOutcome({ ucc, text, ok: false, message: describeError(err) });
}

// ---- actions
async function squareOff(key, button) {
  const p = view.positions.get(key);
  if (!p) return;
  const who = view.client?.name ? `${ucc} (${view.client.name})` : ucc;
  let text = '';
  const done = await actionDialog({
    title: `Square off ${displayName(p)} ${p.product} for ${ucc}`,
    context: `${who}: ${p.net_qty > 0 ? 'long' : 'short'} ${qty(Math.abs(p.net_qty))}, last price ${money(p.ltp)}; this sends a ${exitSide(p)} order.`,
    position: p,
    ucc,
    ok: (plan) => (plan ? `Send ${exitSide(p)} ${qty(plan.qty)}` : 'Send'),
    fallbackFocus: button,
    send: (body, key2) => {
      text = restateSquareOff(p, body.qty, ucc);
      return request('POST', path('/square-off'), { body, idempotencyKey: key2 });
    },
    onRefused: (err, plan) => refused(plan ? restateSquareOff(p, plan.qty, ucc) : `square off ${displayName(p)}`, err),
  });
  if (done) accepted(text, done.result);
}

async function squareOffAll(button) {
  const open = Array.from(view.positions.values()).filter((p) => p.net_qty !== 0 && (p.squareoff_qty ?? 0) > 0);
  const working = sortedOrders().filter((o) => !FINAL_STATUSES.has(o.status));
  const text = `square off every open position of ${ucc} (${open.length} ${open.length === 1 ? 'position' : 'positions'})`;
  const done = await actionDialog({
    title: `Square off all for ${ucc}`,
    context: view.client?.name ? `${ucc} (${view.client.name})` : ucc,
    position: null,
    ucc,
    summary: () => `Square off every open position of ${ucc} (${open.length} ${open.length === 1 ? 'position' : 'positions'})`,
    detail: [
      working.length
        ? h('p', {}, `First cancels the pending orders that could add to a position (${working.length} working now), then sends:`)
        : h('p', {}, 'Sends:'),
      lines(open.map((p) => restateSquareOff(p, p.squareoff_qty, ucc))),
    ],
    ok: 'Square off all',
    fallbackFocus: button,
    send: (body, key) => request('POST', path('/square-off-all'), { body, idempotencyKey: key }),
    onRefused: (err) => refused(text, err),
  });
  if (done) accepted(text, done.result);
}

async function cancelOrder(id, button) {
  const o = view.orders.get(id);
  if (!o) return;
  const by = o.placed_by ? ` placed by ${PLACED_BY[o.placed_by] ?? o.placed_by}` : o.source === 'main' ? ' placed on the main site' : '';
  const text = `cancel order ${id}: ${describeOrder(o)} for ${ucc}`;
  const done = await actionDialog({
    title: `Cancel order ${id} for ${ucc}`,
    context: `${STATUS_WORDS[o.status] ?? o.status}, ${qty(o.filled_qty ?? 0)} of ${qty(o.qty)} filled${by}; placed ${when(o.placed_at)}.`,
    position: null,
    ucc,
    summary: () => `Cancel ${describeOrder(o)} (order ${id}) for ${ucc}`,
    detail: o.filled_qty > 0 ? [h('p', {}, `${qty(o.filled_qty)} is already filled; only the remaining ${qty(o.qty - o.filled_qty)} is cancelled.`)] : [],
    ok: 'Cancel order',
    fallbackFocus: button,
    send: (body, key) => request('POST', path(`/orders/${encodeURIComponent(id)}/cancel`), { body, idempotencyKey: key }),
    onRefused: (err) => refused(text, err),
  });
  if (!done) return;
  const list = ordersOf(done.result);
  if (!list.length) list.push(o);
  accepted(text, { orders: list }, [id]);
}
