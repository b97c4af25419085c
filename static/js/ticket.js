// The square-off ticket for one position: quantity (default: all that may be squared off)
// and market or limit price, checked here first; then a confirmation that restates the
// action ("SELL 50 NIFTY24DECFUT NRML") and sends it with one Idempotency-Key, reused if
// the investor retries after a lost answer, so the order can never go twice.

import { $, announce } from './dom.js';
import { money, qty, paiseToRupees } from './format.js';
import {
  checkLimitPrice,
  checkQuantity,
  describeAction,
  exitSide,
  lotSize,
  sliceCount,
} from './validate.js';
import { describeError } from './messages.js';
import { request, newIdempotencyKey, asList } from './api.js';
import { openModal, closeModal } from './confirm.js';
import * as store from './store.js';
import { followOrders } from './outcome.js';

const el = {};
let current = null; // { key, stage: 'edit'|'confirm', plan, idemKey, busy }

export function initTicket() {
  for (const id of ['ticket', 'ticket-form', 'ticket-pos', 'ticket-edit', 'ticket-confirm', 'ticket-qty',
    'ticket-qty-hint', 'ticket-qty-error', 'ticket-market', 'ticket-limit', 'ticket-price-wrap',
    'ticket-price', 'ticket-price-hint', 'ticket-price-error', 'ticket-action', 'ticket-action-detail',
    'ticket-message', 'ticket-back', 'ticket-submit', 'ticket-title']) {
    el[id.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = $('#' + id);
  }
  el.ticketForm.addEventListener('submit', onSubmit);
  el.ticketBack.addEventListener('click', onBack);
  el.ticket.addEventListener('cancel', (e) => {
    e.preventDefault();
    if (!current?.busy) close();
  });
  for (const r of [el.ticketMarket, el.ticketLimit]) r.addEventListener('change', onTypeChange);
  el.ticketQty.addEventListener('input', () => clearError(el.ticketQty, el.ticketQtyError));
  el.ticketPrice.addEventListener('input', () => clearError(el.ticketPrice, el.ticketPriceError));
  store.on('positions', onPositionsChanged);
}

const position = () => (current ? store.get().positions.get(current.key) : null);

export function openTicket(key) {
  const p = store.get().positions.get(key);
  if (!p) return;
  current = { key, stage: 'edit', plan: null, idemKey: null, busy: false };
  el.ticketQty.value = String(p.squareoff_qty ?? '');
  el.ticketPrice.value = '';
  el.ticketMarket.checked = true;
  clearError(el.ticketQty, el.ticketQtyError);
  clearError(el.ticketPrice, el.ticketPriceError);
  onTypeChange();
  showStage('edit');
  describePosition(p);
  openModal(el.ticket, el.ticketQty);
  el.ticketQty.select();
}

function close() {
  const key = current?.key;
  current = null;
  const card = key ? document.querySelector(`[data-key="${CSS.escape(key)}"]`) : null;
  closeModal(el.ticket, card?.querySelector('button') ?? $('#panel-positions'));
}

function describePosition(p) {
  const side = exitSide(p);
  el.ticketTitle.textContent = `Square off ${p.symbol || p.instrument}`;
  el.ticketPos.textContent =
    `${p.net_qty > 0 ? 'Long' : 'Short'} ${qty(Math.abs(p.net_qty))} ${p.product} · ` +
    `this sends a ${side} order · last price ${money(p.ltp)}`;
  const lot = lotSize(p);
  const parts = [`You can square off up to ${qty(p.squareoff_qty ?? 0)}.`];
  if (p.pending_exit_qty > 0) parts.push(`${qty(p.pending_exit_qty)} is already pending to exit.`);
  if (lot > 1) parts.push(`Whole lots only: multiples of ${qty(lot)}.`);
  if (p.freeze_qty > 0 && (p.squareoff_qty ?? 0) > p.freeze_qty) {
    parts.push(`Above ${qty(p.freeze_qty)} the order is split into several orders (exchange freeze limit).`);
  }
  el.ticketQtyHint.textContent = parts.join(' ');
  el.ticketPriceHint.textContent =
    `Tick ${money(p.tick_size)} · today's band ${money(p.lower_band)} to ${money(p.upper_band)}.`;
}

function onTypeChange() {
  el.ticketPriceWrap.hidden = !el.ticketLimit.checked;
  if (el.ticketLimit.checked && !el.ticketPrice.value) {
    const p = position();
    if (p && typeof p.ltp === 'number') el.ticketPrice.value = p.ltp.toFixed(2);
  }
}

function showStage(stage) {
  current.stage = stage;
  el.ticketEdit.hidden = stage !== 'edit';
  el.ticketConfirm.hidden = stage !== 'confirm';
  el.ticketMessage.hidden = true;
  el.ticketBack.textContent = stage === 'edit' ? 'Cancel' : 'Change';
  el.ticketSubmit.disabled = false;
  el.ticketBack.disabled = false;
  if (stage === 'edit') el.ticketSubmit.textContent = 'Review';
}

function clearError(input, errEl) {
  input.removeAttribute('aria-invalid');
  errEl.hidden = true;
  errEl.textContent = '';
}

function fieldError(input, errEl, message) {
  input.setAttribute('aria-invalid', 'true');
  errEl.textContent = message;
  errEl.hidden = false;
}

function onBack() {
  if (!current || current.busy) return;
  if (current.stage === 'confirm') {
    showStage('edit');
    el.ticketQty.focus();
  } else {
    close();
  }
}

function onSubmit(e) {
  e.preventDefault();
  if (!current || current.busy) return;
  if (current.stage === 'edit') review();
  else send();
}

function review() {
  const p = position();
  if (!p) return;
  const q = checkQuantity(p, el.ticketQty.value);
  const limit = el.ticketLimit.checked ? checkLimitPrice(p, el.ticketPrice.value) : { ok: true };
  if (q.ok) clearError(el.ticketQty, el.ticketQtyError);
  else fieldError(el.ticketQty, el.ticketQtyError, q.message);
  if (limit.ok) clearError(el.ticketPrice, el.ticketPriceError);
  else fieldError(el.ticketPrice, el.ticketPriceError, limit.message);
  if (!q.ok) return el.ticketQty.focus();
  if (!limit.ok) return el.ticketPrice.focus();

  const plan = { qty: q.qty, orderType: el.ticketLimit.checked ? 'LIMIT' : 'MARKET', pricePaise: limit.paise };
  current.plan = plan;
  current.idemKey = newIdempotencyKey(); // one confirmed intent = one key, kept for retries
  const action = describeAction(p, plan.qty);
  el.ticketAction.textContent = action;
  const slices = sliceCount(p, plan.qty);
  el.ticketActionDetail.textContent =
    (plan.orderType === 'MARKET'
      ? `At market: sent as a limit order near the last price (${money(p.ltp)}) so it cannot fill at a runaway price.`
      : `At a limit of ${money(plan.pricePaise / 100)}: it fills only at that price or better, and may stay open.`) +
    (slices > 1 ? ` Sent as ${slices} orders of at most ${qty(p.freeze_qty)} each.` : '') +
    (plan.qty < Math.abs(p.net_qty) ? ` ${qty(Math.abs(p.net_qty) - plan.qty)} stays open.` : ' This closes the whole position.');
  showStage('confirm');
  el.ticketSubmit.textContent = `Confirm ${exitSide(p)} ${qty(plan.qty)}`;
  el.ticketSubmit.focus();
}

async function send() {
  const p = position();
  if (!p || !current.plan) return;
  const { plan, idemKey, key } = current;
  const body = { instrument: p.instrument, product: p.product, qty: plan.qty, order_type: plan.orderType };
  if (plan.orderType === 'LIMIT') body.price = paiseToRupees(plan.pricePaise);
  const action = describeAction(p, plan.qty);
  const label = el.ticketSubmit.textContent;

  current.busy = true;
  el.ticketSubmit.disabled = true;
  el.ticketBack.disabled = true;
  el.ticketSubmit.textContent = 'Sending…';
  el.ticketMessage.hidden = true;
  try {
    const res = await request('POST', '/positions/square-off', { body, idempotencyKey: idemKey });
    const orders = asList(res?.orders, 'orders');
    for (const o of orders) store.upsertOrder(o);
    if (current?.key === key) {
      current.busy = false;
      close();
    }
    const ids = orders.map((o) => o.order_id).filter(Boolean);
    announce(
      `Sent: ${action}${ids.length ? ` (order ${ids.join(', ')})` : ''}. Waiting for the exchange to confirm.`,
      'success',
    );
    followOrders(ids, { what: 'The square-off' });
  } catch (err) {
    if (!current || current.key !== key) return;
    current.busy = false;
    if (err.status === 401 || err.code === 'standby' || err.code === 'recovery') return close();
    el.ticketMessage.textContent = describeError(err, { position: p });
    el.ticketMessage.hidden = false;
    el.ticketBack.disabled = false;
    el.ticketSubmit.disabled = false;
    if (err.code === 'network') {
      el.ticketSubmit.textContent = 'Try again';
      return;
    }
    el.ticketSubmit.textContent = label;
    if (['increases_risk', 'no_position', 'not_lot_multiple', 'off_tick', 'outside_band', 'no_reference_price',
      'invalid_quantity', 'invalid_price'].includes(err.code)) {
      // The position moved under us: show the fresh numbers and let the investor edit.
      refreshPositions();
      const m = el.ticketMessage.textContent;
      showStage('edit');
      el.ticketMessage.textContent = m;
      el.ticketMessage.hidden = false;
      el.ticketQty.focus();
    }
  }
}

async function refreshPositions() {
  try {
    store.replacePositions(asList(await request('GET', '/positions'), 'positions'));
  } catch {
    // The live stream or the next poll will bring them.
  }
}

function onPositionsChanged() {
  if (!current || current.busy) return;
  const p = position();
  if (!p || p.net_qty === 0) {
    el.ticketMessage.textContent = 'This position has just been closed. Nothing more to square off.';
    el.ticketMessage.hidden = false;
    el.ticketSubmit.disabled = true;
    return;
  }
  describePosition(p);
}
