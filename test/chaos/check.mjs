// The chaos harness's invariant checker (test/chaos/lib.sh: chaos_check). Compares IRRA's
// mirror (`irra ctl positions|orders|trades`, saved by chaos_check) with the exchange
// simulator's own record: /control/state (positions, counts) and its --journal (every
// application message it sent and received). Nothing of IRRA's opinion of itself is trusted.
//
//   node check.mjs WORK_DIR
//   reads WORK_DIR/{irra-positions,irra-orders,irra-trades}.jsonl, sim-state.json,
//   journal.jsonl and (if present) accepted.jsonl; prints what holds, or every broken
//   invariant (at most 10 examples each) and exits 1.
//
// Invariants:
//  1. mirror exact: every net position equals the exchange's (flat ones omitted on both
//     sides); IRRA's trades are exactly the exchange's fills (ExecID = trade_id), each once;
//     IRRA's orders are exactly the orders the exchange reported (OrderID =
//     exchange_order_id), each once, with the filled quantity of the exchange's last report;
//     the exchange itself sent every ExecID once as an original on the drop copy.
//  2. no order twice: every ClOrdID IRRA sent (NewOrderSingle and OrderCancelRequest)
//     reached the exchange at most once other than as a PossDupFlag/PossResend copy (tags
//     43/97; a copy is what IRRA re-sends after a reconnect, and the exchange ignores one
//     whose ClOrdID it knows); the exchange counted no duplicate ClOrdID.
//  3. no square-off made a position larger or flipped its sign: the journal is replayed in
//     order from the start-of-day positions (the exchange's final positions minus every
//     fill); when each IRRA order arrived, its side reduced the position and its quantity
//     plus IRRA's other open exit orders on it were at most |position|; and no fill of an
//     IRRA order made |position| larger or changed its sign. A breach on a position that the
//     main site's own flow also traded after IRRA's first order is reported as a race (the
//     main site's fill may still have been on its way to IRRA), not a failure.
//  4. nothing acknowledged that was not durable: every order id in an investor's 202
//     answer (accepted.jsonl) is in IRRA's order book.

import fs from 'node:fs';
import readline from 'node:readline';

const work = process.argv[2];
if (!work) {
  console.error('usage: check.mjs WORK_DIR');
  process.exit(2);
}
const lines = (f, optional = false) => {
  const p = `${work}/${f}`;
  if (optional && !fs.existsSync(p)) return [];
  const out = [];
  for (const l of fs.readFileSync(p, 'utf8').split('\n')) {
    if (!l.trim()) continue;
    try {
      out.push(JSON.parse(l));
    } catch {
      // a journal line cut by a crash of the writer, or still being written: ignored
    }
  }
  return out;
};
const problems = [];
const facts = [];
const notes = [];
const fail = (what, examples = []) =>
  problems.push(examples.length ? `${what}; e.g. ${examples.slice(0, 10).map((e) => JSON.stringify(e)).join(', ')}` : what);

const positions = lines('irra-positions.jsonl');
const orders = lines('irra-orders.jsonl');
const trades = lines('irra-trades.jsonl');
const state = JSON.parse(fs.readFileSync(`${work}/sim-state.json`, 'utf8'));
// The journal can be hundreds of MB: read line by line, keep only what the checks need.
const journal = [];
{
  const keepSent = ['session', 'kind', 'origin', 'exec_id', 'order_id', 'cl_ord_id', 'orig_cl_ord_id', 'account', 'instrument',
    'product', 'side', 'exec_type', 'ord_status', 'last_qty', 'cum_qty', 'leaves_qty'];
  const rl = readline.createInterface({ input: fs.createReadStream(`${work}/journal.jsonl`), crlfDelay: Infinity });
  for await (const l of rl) {
    if (!l.trim()) continue;
    let m;
    try {
      m = JSON.parse(l);
    } catch {
      continue; // a line still being written
    }
    if (m.dir === 'sent' && m.msg_type === '8') {
      const slim = { dir: 'sent', msg_type: '8' };
      for (const k of keepSent) if (m[k] !== undefined) slim[k] = m[k];
      journal.push(slim);
    } else if (m.dir === 'received' && m.session === 'oe' && (m.msg_type === 'D' || m.msg_type === 'F')) {
      journal.push({ dir: 'received', session: 'oe', msg_type: m.msg_type,
        fields: m.fields.filter(([k]) => [1, 11, 38, 43, 54, 55, 97, 207, 5001].includes(Number(k))) });
    }
  }
}
const accepted = lines('accepted.jsonl', true);

// ---------------------------------------------------------------- 1. mirror exact
const pkey = (ucc, instrument, product) => `${ucc}|${instrument}|${product}`;
const mine = new Map();
for (const p of positions) {
  const k = pkey(p.ucc, p.instrument, p.product);
  if (mine.has(k)) fail(`position ${k} listed twice by IRRA`);
  if (p.net_qty !== 0) mine.set(k, p.net_qty);
}
const theirs = new Map(state.positions.map((p) => [pkey(p.account, p.instrument, p.product), p.net_qty]));
const posDiff = [...new Set([...mine.keys(), ...theirs.keys()])].filter((k) => (mine.get(k) || 0) !== (theirs.get(k) || 0));
if (posDiff.length) fail(`${posDiff.length} net positions differ from the exchange's (key, irra, exchange)`, posDiff.map((k) => [k, mine.get(k) || 0, theirs.get(k) || 0]));
else facts.push(`positions: ${theirs.size} open positions equal the exchange's`);

const dcOriginals = journal.filter((m) => m.dir === 'sent' && m.session === 'dc' && m.msg_type === '8' && m.kind === 'original');
const execSeen = new Map();
for (const m of dcOriginals) execSeen.set(m.exec_id, (execSeen.get(m.exec_id) || 0) + 1);
const execTwice = [...execSeen].filter(([, n]) => n > 1);
if (execTwice.length) fail(`the exchange sent ${execTwice.length} ExecIDs twice as originals on the drop copy`, execTwice);
if (execSeen.size !== state.exec_ids) fail(`the journal has ${execSeen.size} drop-copy ExecIDs, /control/state counts ${state.exec_ids} (journal incomplete?)`);
const fills = dcOriginals.filter((m) => Number(m.last_qty) > 0);
const fillIds = new Set(fills.map((m) => m.exec_id));
if (fillIds.size !== state.fills) fail(`the journal has ${fillIds.size} fills, /control/state counts ${state.fills}`);
const tradeIds = new Map();
for (const t of trades) tradeIds.set(t.trade_id, (tradeIds.get(t.trade_id) || 0) + 1);
const tradesTwice = [...tradeIds].filter(([, n]) => n > 1);
if (tradesTwice.length) fail(`${tradesTwice.length} trades applied twice by IRRA (trade_id, times)`, tradesTwice);
const lostTrades = [...fillIds].filter((id) => !tradeIds.has(id));
if (lostTrades.length) fail(`${lostTrades.length} of the exchange's fills are not IRRA trades (ExecIDs)`, lostTrades);
const extraTrades = [...tradeIds.keys()].filter((id) => !fillIds.has(id));
if (extraTrades.length) fail(`${extraTrades.length} IRRA trades the exchange never sent`, extraTrades);
if (!tradesTwice.length && !lostTrades.length && !extraTrades.length) facts.push(`trades: ${fillIds.size} fills, each exactly once (ExecID = trade_id)`);

// The exchange's last word on each order: cum_qty and status.
const lastReport = new Map();
for (const m of dcOriginals) lastReport.set(m.order_id, m);
const irraByExch = new Map();
const twiceOrders = [];
for (const o of orders) {
  const id = o.exchange_order_id || (o.source === 'main' ? o.order_id : null);
  if (!id) continue; // an IRRA order that never reached the exchange (rejected at restart)
  if (irraByExch.has(id)) twiceOrders.push(id);
  irraByExch.set(id, o);
}
if (twiceOrders.length) fail(`${twiceOrders.length} exchange orders twice in IRRA's book`, twiceOrders);
const lostOrders = [...lastReport.keys()].filter((id) => !irraByExch.has(id));
if (lostOrders.length) fail(`${lostOrders.length} orders the exchange reported are not in IRRA's book`, lostOrders);
const extraOrders = [...irraByExch.keys()].filter((id) => !lastReport.has(id));
if (extraOrders.length) fail(`${extraOrders.length} orders in IRRA's book the exchange never reported`, extraOrders);
const STATUS = { 0: 'OPEN', 1: 'PARTIALLY_FILLED', 2: 'FILLED', 4: 'CANCELLED', 8: 'REJECTED', C: 'EXPIRED' };
const fieldDiff = [];
for (const [id, m] of lastReport) {
  const o = irraByExch.get(id);
  if (!o) continue;
  if (o.filled_qty !== Number(m.cum_qty)) fieldDiff.push([id, 'filled_qty', o.filled_qty, Number(m.cum_qty)]);
  const want = STATUS[m.ord_status];
  if (want && o.status !== want && !(want === 'OPEN' && o.status === 'PENDING')) fieldDiff.push([id, 'status', o.status, want]);
}
if (fieldDiff.length) fail(`${fieldDiff.length} orders differ from the exchange's last report (order, field, irra, exchange)`, fieldDiff);
if (lastReport.size !== state.orders) fail(`the journal reports ${lastReport.size} orders, /control/state counts ${state.orders}`);
if (!twiceOrders.length && !lostOrders.length && !extraOrders.length && !fieldDiff.length) facts.push(`orders: ${lastReport.size} orders as the exchange reported them (filled quantity and status)`);

// ---------------------------------------------------------------- 2. no order twice
const tag = (m, t) => {
  const f = m.fields && m.fields.find(([k]) => Number(k) === t);
  return f ? String(f[1]) : undefined;
};
const received = journal.filter((m) => m.dir === 'received' && m.session === 'oe' && (m.msg_type === 'D' || m.msg_type === 'F'));
const copies = received.filter((m) => tag(m, 43) === 'Y' || tag(m, 97) === 'Y');
const originals = received.filter((m) => tag(m, 43) !== 'Y' && tag(m, 97) !== 'Y');
const clSeen = new Map();
for (const m of originals) clSeen.set(tag(m, 11), (clSeen.get(tag(m, 11)) || 0) + 1);
const clTwice = [...clSeen].filter(([, n]) => n > 1);
if (clTwice.length) fail(`${clTwice.length} ClOrdIDs reached the exchange more than once (not as PossDup/PossResend copies)`, clTwice);
if (state.duplicate_cl_ord_ids) fail(`the exchange counted ${state.duplicate_cl_ord_ids} duplicate ClOrdIDs`);
if (!clTwice.length && !state.duplicate_cl_ord_ids) {
  const ids = (t) => new Set(received.filter((m) => m.msg_type === t).map((m) => tag(m, 11))).size;
  facts.push(`no order twice: ${ids('D')} orders and ${ids('F')} cancels, each ClOrdID received once (${copies.length} PossDup/PossResend copies not counted; the exchange ignored ${state.poss_resend_ignored} as already known)`);
}

// ---------------------------------------------------------------- 3. never larger, never flipped
const pos = new Map(theirs);
for (const m of fills) {
  const k = pkey(m.account, m.instrument, m.product);
  pos.set(k, (pos.get(k) || 0) - (m.side === '1' ? 1 : -1) * Number(m.last_qty));
}
// pos now holds the start-of-day positions; replay in journal order.
const irraOpen = new Map(); // order_id or cl_ord_id -> {key, side, leaves}
const byCl = new Map();
let firstIrraIndex = Infinity;
const mainAfter = new Set(); // keys the main site traded after IRRA's first order
const breaches = [];
let irraOrders = 0;
let irraFills = 0;
journal.forEach((m, i) => {
  // An order's first arrival, also as a PossResend copy whose original never arrived (sent
  // while the session was down): the exchange acts on that one.
  if (m.dir === 'received' && m.session === 'oe' && m.msg_type === 'D' && !byCl.has(tag(m, 11))) {
    firstIrraIndex = Math.min(firstIrraIndex, i);
    irraOrders += 1;
    const k = pkey(tag(m, 1), `${tag(m, 207)}:${tag(m, 55)}`, tag(m, 5001));
    const side = tag(m, 54);
    const qty = Number(tag(m, 38));
    const p = pos.get(k) || 0;
    const reduces = (p > 0 && side === '2') || (p < 0 && side === '1');
    let pending = 0;
    for (const o of byCl.values()) if (o.key === k && o.side === side && o.leaves > 0) pending += o.leaves;
    if (!reduces || pending + qty > Math.abs(p)) {
      breaches.push({ key: k, cl_ord_id: tag(m, 11), what: reduces ? `order of ${qty} with ${pending} already pending on a position of ${p}` : `side ${side} on a position of ${p}` });
    }
    byCl.set(tag(m, 11), { key: k, side, leaves: qty });
    return;
  }
  if (m.dir !== 'sent' || m.session !== 'dc' || m.msg_type !== '8' || m.kind !== 'original') return;
  const k = pkey(m.account, m.instrument, m.product);
  if (m.origin === 'irra') {
    let o = irraOpen.get(m.order_id);
    if (!o) {
      o = byCl.get(m.exec_type === '4' ? m.orig_cl_ord_id : m.cl_ord_id) || byCl.get(m.orig_cl_ord_id) || null;
      if (o) irraOpen.set(m.order_id, o);
    }
    if (o) o.leaves = ['2', '4', '8', 'C'].includes(m.ord_status) ? 0 : Number(m.leaves_qty);
  } else if (i > firstIrraIndex && Number(m.last_qty) > 0) {
    mainAfter.add(k);
  }
  const q = Number(m.last_qty);
  if (!(q > 0)) return;
  const before = pos.get(k) || 0;
  const after = before + (m.side === '1' ? 1 : -1) * q;
  pos.set(k, after);
  if (m.origin === 'irra') {
    irraFills += 1;
    if (Math.abs(after) > Math.abs(before) || Math.sign(after) * Math.sign(before) < 0) {
      breaches.push({ key: k, exec_id: m.exec_id, what: `fill of ${q} took the position from ${before} to ${after}` });
    }
  }
});
const raced = breaches.filter((b) => mainAfter.has(b.key));
const real = breaches.filter((b) => !mainAfter.has(b.key));
if (real.length) fail(`${real.length} IRRA orders or fills would make a position larger or flip it`, real);
else facts.push(`never larger, never flipped: ${irraOrders} IRRA orders and ${irraFills} fills of them replayed on the exchange's positions`);
if (raced.length) notes.push(`${raced.length} breaches on positions the main-site flow traded at the same time (a race with the main site, not counted): ${JSON.stringify(raced.slice(0, 3))}`);
const endDiff = [...new Set([...pos.keys(), ...theirs.keys()])].filter((k) => (pos.get(k) || 0) !== (theirs.get(k) || 0));
if (endDiff.length) fail(`the journal's replay does not end on the exchange's positions (${endDiff.length} differ): journal incomplete`, endDiff);

// ---------------------------------------------------------------- 4. acknowledged = durable
const orderIds = new Set(orders.map((o) => o.order_id));
const ackIds = new Set(accepted.flatMap((a) => a.order_ids || []));
const missing = [...ackIds].filter((id) => !orderIds.has(id));
if (missing.length) fail(`${missing.length} order ids answered 202 to an investor are not in IRRA's order book`, missing);
else facts.push(`durable: all ${ackIds.size} order ids of ${accepted.length} accepted (202) answers are in IRRA's order book`);

if (problems.length) {
  for (const p of problems) console.log(`FAIL: ${p}`);
  process.exit(1);
}
for (const f of facts) console.log(`ok: ${f}`);
for (const n of notes) console.log(`note: ${n}`);
