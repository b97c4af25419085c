// What the page knows about the logged-in client: positions, orders, trades, holdings and
// funds, as the server's REST objects. Snapshots (GET) replace a collection; live events
// upsert one object. Views subscribe and re-render only what changed.

import { positionKey } from './validate.js';

const state = {
  client: null,
  positions: new Map(),
  orders: new Map(),
  trades: new Map(),
  holdings: [],
  funds: null,
};
const listeners = new Map();

export function on(kind, fn) {
  if (!listeners.has(kind)) listeners.set(kind, new Set());
  listeners.get(kind).add(fn);
}

function emit(kind) {
  for (const fn of listeners.get(kind) ?? []) fn(state);
}

export const get = () => state;

export function setClient(client) {
  state.client = client;
  emit('client');
}

export function reset() {
  state.client = null;
  state.positions.clear();
  state.orders.clear();
  state.trades.clear();
  state.holdings = [];
  state.funds = null;
  for (const kind of ['client', 'positions', 'orders', 'trades', 'holdings', 'funds']) emit(kind);
}

export function replacePositions(list) {
  state.positions = new Map(list.map((p) => [positionKey(p), p]));
  emit('positions');
}

export function upsertPosition(p) {
  if (!p || !p.instrument || !p.product || typeof p.net_qty !== 'number') return;
  state.positions.set(positionKey(p), p);
  emit('positions');
}

export function replaceOrders(list) {
  state.orders = new Map(list.map((o) => [String(o.order_id), o]));
  emit('orders');
}

/** An order event or answer; an older copy never overwrites a newer one. */
export function upsertOrder(o) {
  // Only whole order objects: a bare id or {order_id, status} must not replace a full row.
  if (!o || o.order_id === undefined || !o.instrument || !o.status) return;
  const id = String(o.order_id);
  const old = state.orders.get(id);
  if (old && isOlder(o, old)) return;
  state.orders.set(id, o);
  emit('orders');
}

const RANK = { PENDING: 0, OPEN: 1, PARTIALLY_FILLED: 2 };
const rank = (o) => RANK[o.status] ?? 3; // final states last

// The square-off answer (PENDING) can arrive after the stream already said OPEN or FILLED.
function isOlder(o, old) {
  if (o.updated_at && old.updated_at && o.updated_at !== old.updated_at) {
    return o.updated_at < old.updated_at;
  }
  if (rank(o) !== rank(old)) return rank(o) < rank(old);
  return (o.filled_qty ?? 0) < (old.filled_qty ?? 0);
}

export function replaceTrades(list) {
  state.trades = new Map(list.map((t) => [String(t.trade_id), t]));
  emit('trades');
}

export function upsertTrade(t) {
  if (!t || t.trade_id === undefined) return;
  state.trades.set(String(t.trade_id), t);
  emit('trades');
}

export function replaceHoldings(list) {
  state.holdings = list;
  emit('holdings');
}

export function replaceFunds(funds) {
  state.funds = funds;
  emit('funds');
}

/** Positions sorted: open ones first (largest exposure first), closed ones after. */
export function sortedPositions() {
  const list = Array.from(state.positions.values());
  return list.sort((a, b) => {
    const ao = a.net_qty !== 0;
    const bo = b.net_qty !== 0;
    if (ao !== bo) return ao ? -1 : 1;
    return String(a.instrument).localeCompare(String(b.instrument)) || String(a.product).localeCompare(String(b.product));
  });
}

/** Orders newest placed first; an update does not move a row. */
export function sortedOrders() {
  return Array.from(state.orders.values()).sort(
    (a, b) =>
      String(b.placed_at ?? '').localeCompare(String(a.placed_at ?? '')) ||
      String(b.order_id).localeCompare(String(a.order_id)),
  );
}

export function sortedTrades() {
  return Array.from(state.trades.values()).sort((a, b) =>
    String(b.time ?? '').localeCompare(String(a.time ?? '')),
  );
}
