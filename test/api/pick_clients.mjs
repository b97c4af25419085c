// Chooses the investors the web tests use, one per role, from the start-of-day dump's
// clients.csv and the running server's own mirror (`irra ctl positions` / `irra ctl orders`,
// taken after the simulated main-site day), so that no two tests touch the same account.
//
//   node pick_clients.mjs DUMP_DIR POSITIONS.jsonl ORDERS.jsonl > clients.json
//
// Output: {"roles": {role: {ucc, pan, name, mobile, email, ...extra}}, "notes": [...]}.

import fs from 'node:fs';
import path from 'node:path';
import { parseCsv } from './csv.mjs';

const [dumpDir, positionsFile, ordersFile] = process.argv.slice(2);
if (!ordersFile) {
  console.error('usage: pick_clients.mjs DUMP_DIR POSITIONS.jsonl ORDERS.jsonl');
  process.exit(2);
}

const readJsonl = (f) =>
  fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

const clients = parseCsv(fs.readFileSync(path.join(dumpDir, 'clients.csv'), 'utf8'));
const positions = readJsonl(positionsFile);
const orders = readJsonl(ordersFile);
const FINAL = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);

const posBy = new Map();
for (const p of positions) {
  if (!posBy.has(p.ucc)) posBy.set(p.ucc, []);
  posBy.get(p.ucc).push(p);
}
const liveBy = new Map();
const anyOrderBy = new Set();
for (const o of orders) {
  anyOrderBy.add(o.ucc);
  if (FINAL.has(o.status)) continue;
  if (!liveBy.has(o.ucc)) liveBy.set(o.ucc, []);
  liveBy.get(o.ucc).push(o);
}

const lot = (p) => (p.lot_size > 1 ? p.lot_size : 1);
const usable = (p) =>
  p.net_qty !== 0 && p.squareoff_qty >= lot(p) && typeof p.ltp === 'number' && p.tick_size > 0 && p.ltp > 0;
const eligible = clients.filter((c) => c.eligible === 'Y').sort((a, b) => (a.ucc < b.ucc ? -1 : 1));
// "Clean": no live order at all (so only the test's own orders move its books), and no
// order today (so its order book starts empty).
const clean = eligible.filter((c) => !anyOrderBy.has(c.ucc));
const taken = new Set();
const roles = {};
const notes = [];

function take(role, candidates, pick = (c) => ({})) {
  for (const c of candidates) {
    if (taken.has(c.ucc)) continue;
    const extra = pick(c);
    if (extra === null) continue;
    taken.add(c.ucc);
    roles[role] = { ucc: c.ucc, pan: c.pan, name: c.name, mobile: c.mobile, email: c.email, ...extra };
    return roles[role];
  }
  throw new Error(`no client fits the role "${role}"`);
}

const withPosition = (filter) => (c) => {
  const list = (posBy.get(c.ucc) || []).filter(usable).filter(filter);
  return list.length ? { position: list[0] } : null;
};
const fitsOneSlice = (p) => p.squareoff_qty <= p.freeze_qty;
const isRiskAdding = (o, net) => (o.side === 'BUY' ? net >= 0 : net <= 0);

// The browser journey: an F&O position of at least four lots (two partial square-offs and a
// resting limit leave part of it open), plus nothing else going on.
take('browser', clean, withPosition((p) => p.lot_size > 1 && p.squareoff_qty >= 4 * p.lot_size && p.squareoff_qty <= p.freeze_qty));
// Square-off-all: live main-site orders, every one of them risk-adding (so cancelling them
// and squaring off every position leaves the account flat), and open positions.
try {
  take('all', eligible, (c) => {
    const live = liveBy.get(c.ucc) || [];
    const pos = (posBy.get(c.ucc) || []).filter(usable);
    if (!live.length || !pos.length) return null;
    const net = (o) => (posBy.get(c.ucc) || []).find((p) => p.instrument === o.instrument && p.product === o.product)?.net_qty ?? 0;
    if (!live.every((o) => o.source === 'main' && isRiskAdding(o, net(o)))) return null;
    // Every position must be closable by one square-off-all (exits of at most freeze qty slices).
    if ((posBy.get(c.ucc) || []).some((p) => p.net_qty !== 0 && !usable(p))) return null;
    return { risk_adding_orders: live.map((o) => o.order_id) };
  });
} catch {
  notes.push('no client with only risk-adding main-site orders: square-off-all is checked without cancellations');
  take('all', clean, (c) => ((posBy.get(c.ucc) || []).filter(usable).length >= 2 && (posBy.get(c.ucc) || []).every(usable) ? { risk_adding_orders: [] } : null));
}
// A client with a live main-site order of its own, to cancel it from the backup site.
take('maincancel', eligible, (c) => {
  const live = (liveBy.get(c.ucc) || []).filter((o) => o.source === 'main' && o.status === 'OPEN');
  return live.length ? { main_order: live[0].order_id } : null;
});
// A position above its freeze quantity (test/api/amend_dump.mjs makes some).
take('slices', eligible.filter((c) => !liveBy.has(c.ucc)), withPosition((p) => p.squareoff_qty > p.freeze_qty && p.lot_size >= 1));
take('fo', clean, withPosition((p) => p.lot_size > 1 && p.squareoff_qty >= p.lot_size));
take('partial', clean, withPosition((p) => p.squareoff_qty >= 2 * lot(p) && fitsOneSlice(p)));
take('over', clean, withPosition((p) => fitsOneSlice(p)));
take('race', clean, withPosition((p) => fitsOneSlice(p)));
take('idem', clean, withPosition((p) => p.squareoff_qty >= 3 * lot(p) && fitsOneSlice(p)));
take('limit', clean, withPosition((p) => p.tick_size >= 0.02 && fitsOneSlice(p)));
take('price', clean, withPosition((p) => p.segment === 'EQ' && p.squareoff_qty >= 2 && fitsOneSlice(p)));
take('stream', clean, withPosition((p) => p.squareoff_qty >= 2 * lot(p) && fitsOneSlice(p)));
take('stream_other', clean, withPosition(() => true));
take('other', clean);
take('session', clean);
take('csrf', clean, withPosition(() => true));
take('pan', clean);
take('burn', clean);
take('expire', clean);
take('ratelimit', clean);
take('reuse', clean);
take('recovery', clean);
// The admin terminal's tests: a dealer acts for these clients.
take('staff_act', clean, withPosition((p) => p.squareoff_qty >= 2 * lot(p) && fitsOneSlice(p)));
take('staff_browser', clean, withPosition((p) => fitsOneSlice(p)));
try {
  take('staff_cancel', eligible, (c) => {
    const live = (liveBy.get(c.ucc) || []).filter((o) => o.source === 'main' && o.status === 'OPEN');
    return live.length ? { main_order: live[0].order_id } : null;
  });
} catch {
  notes.push('no second client with an open main-site order: the staff cancel is checked on a final order only');
}
take('ineligible', clients.filter((c) => c.eligible === 'N').sort((a, b) => (a.ucc < b.ucc ? -1 : 1)));

// An instrument the "limit" client has no position in, for no_position.
const held = new Set((posBy.get(roles.limit.ucc) || []).map((p) => `${p.instrument}|${p.product}`));
const other = positions.find((p) => !held.has(`${p.instrument}|${p.product}`));
roles.limit.not_held = { instrument: other.instrument, product: other.product };

process.stdout.write(JSON.stringify({ roles, notes }, null, 2) + '\n');
