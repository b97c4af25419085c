// The staff terminal's two dialogs. actionDialog(): acting for a client — restates the
// action in words, requires a reason and an evidence reference, and sends it with one
// Idempotency-Key per confirmed action (reused only when the same, unchanged action is sent
// again after no answer). confirmDialog(): a plain confirmation that runs its action.
// Both keep the dialog open on a refusal, showing the API's own message.

import { $, h } from '../js/dom.js';
import { money, qty, paiseToRupees } from '../js/format.js';
import { checkQuantity, checkLimitPrice, lotSize } from '../js/validate.js';
import { openModal, closeModal } from '../js/confirm.js';
import { describeError, newIdempotencyKey } from './api.js';
import { restateSquareOff } from './words.js';

const MAX_TEXT = 500;

function setError(input, errorEl, message) {
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  errorEl.textContent = message || '';
  errorEl.hidden = !message;
}

/** 1–500 characters after trimming, as the API requires. */
function checkText(input, errorEl, what) {
  const v = input.value.trim();
  if (!v) {
    setError(input, errorEl, `Enter the ${what}.`);
    return null;
  }
  if (v.length > MAX_TEXT) {
    setError(input, errorEl, `The ${what} is at most ${MAX_TEXT} characters.`);
    return null;
  }
  setError(input, errorEl, '');
  return v;
}

/**
 * opts: { title, context: text, position (square-off of one position, else null), ucc,
 *         summary: () => string (when no position), detail: Node[], ok: label,
 *         send: async (extraBody, idempotencyKey) => result }
 * Resolves to { result, plan } when the API accepted it, or null when the user went back.
 * `onRefused(err, plan)` is called for a definitive refusal (the dialog stays open).
 */
export function actionDialog(opts) {
  const dialog = $('#action');
  const form = $('#action-form');
  const okBtn = $('#action-ok');
  const backBtn = $('#action-back');
  const msg = $('#action-message');
  const qtyIn = $('#action-qty');
  const priceIn = $('#action-price');
  const market = $('#action-market');
  const limit = $('#action-limit');
  const reason = $('#action-reason');
  const evidence = $('#action-evidence');
  const p = opts.position;

  $('#action-title').textContent = opts.title;
  $('#action-context').textContent = opts.context ?? '';
  $('#action-squareoff').hidden = !p;
  $('#action-detail').replaceChildren(...(opts.detail ?? []));
  reason.value = '';
  evidence.value = '';
  setError(reason, $('#action-reason-error'), '');
  setError(evidence, $('#action-evidence-error'), '');
  msg.hidden = true;
  okBtn.disabled = false;
  backBtn.disabled = false;

  if (p) {
    qtyIn.value = String(p.squareoff_qty ?? '');
    priceIn.value = '';
    market.checked = true;
    setError(qtyIn, $('#action-qty-error'), '');
    setError(priceIn, $('#action-price-error'), '');
    const lot = lotSize(p);
    $('#action-qty-hint').textContent =
      `Up to ${qty(p.squareoff_qty ?? 0)}` +
      (lot > 1 ? `, whole lots of ${qty(lot)}` : '') +
      (p.freeze_qty > 0 ? `; above ${qty(p.freeze_qty)} it is sent in slices` : '') +
      '.';
    $('#action-price-hint').textContent =
      `Tick ${money(p.tick_size)}; band ${money(p.lower_band)} to ${money(p.upper_band)}; last ${money(p.ltp)}.`;
  }

  // What the form says now, or null with the first problem shown.
  const plan = (showErrors) => {
    if (!p) return { summary: opts.summary(), body: {} };
    const q = checkQuantity(p, qtyIn.value);
    if (showErrors) setError(qtyIn, $('#action-qty-error'), q.ok ? '' : q.message);
    if (!q.ok) return null;
    const body = { instrument: p.instrument, product: p.product, qty: q.qty, order_type: market.checked ? 'MARKET' : 'LIMIT' };
    let priceText = '';
    if (limit.checked) {
      const pr = checkLimitPrice(p, priceIn.value);
      if (showErrors) setError(priceIn, $('#action-price-error'), pr.ok ? '' : pr.message);
      if (!pr.ok) return null;
      body.price = paiseToRupees(pr.paise);
      priceText = ` at limit ${money(body.price)}`;
    } else {
      priceText = ' at market';
    }
    return { summary: restateSquareOff(p, q.qty, opts.ucc) + priceText, body, qty: q.qty };
  };

  let idemKey = null;
  let busy = false;
  const refresh = () => {
    idemKey = null; // a changed action is a new action
    const pl = plan(false);
    $('#action-summary').textContent = pl ? pl.summary : 'Enter a valid quantity and price.';
    okBtn.textContent = typeof opts.ok === 'function' ? opts.ok(pl) : opts.ok;
    $('#action-price-wrap').hidden = !limit.checked;
  };
  refresh();

  return new Promise((resolve) => {
    // Quantity, type and price make a new action (a new key); reason and evidence do not.
    const inputs = [qtyIn, priceIn, market, limit];
    const clearReason = () => setError(reason, $('#action-reason-error'), '');
    const clearEvidence = () => setError(evidence, $('#action-evidence-error'), '');
    const finish = (value) => {
      form.removeEventListener('submit', onSubmit);
      backBtn.removeEventListener('click', onBack);
      dialog.removeEventListener('cancel', onEscape);
      for (const i of inputs) i.removeEventListener('input', onInput);
      for (const i of [market, limit]) i.removeEventListener('change', onInput);
      reason.removeEventListener('input', clearReason);
      evidence.removeEventListener('input', clearEvidence);
      closeModal(dialog, opts.fallbackFocus);
      resolve(value);
    };
    const onInput = (e) => {
      if (e.target === qtyIn) setError(qtyIn, $('#action-qty-error'), '');
      if (e.target === priceIn) setError(priceIn, $('#action-price-error'), '');
      if (!busy) refresh();
    };
    const onBack = () => {
      if (!busy) finish(null);
    };
    const onEscape = (e) => {
      e.preventDefault();
      if (!busy) finish(null);
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (busy) return; // a double click sends once
      const pl = plan(true);
      const r = checkText(reason, $('#action-reason-error'), 'reason');
      const ev = checkText(evidence, $('#action-evidence-error'), 'evidence reference');
      if (!pl || r === null || ev === null) {
        (!pl ? qtyIn : r === null ? reason : evidence).focus();
        return;
      }
      busy = true;
      idemKey ??= newIdempotencyKey();
      okBtn.disabled = true;
      backBtn.disabled = true;
      const label = okBtn.textContent;
      okBtn.textContent = 'Sending…';
      msg.hidden = true;
      try {
        const result = await opts.send({ ...pl.body, reason: r, evidence_ref: ev }, idemKey);
        busy = false;
        finish({ result, plan: pl, reason: r, evidence_ref: ev });
      } catch (err) {
        busy = false;
        msg.textContent = describeError(err);
        msg.hidden = false;
        okBtn.disabled = false;
        backBtn.disabled = false;
        okBtn.textContent = err.code === 'network' ? 'Send again' : label;
        if (err.code !== 'network') {
          idemKey = null;
          opts.onRefused?.(err, pl);
        }
        if (err.status === 401) finish(null);
        if (err.code === 'reason_required') reason.focus();
        if (err.code === 'evidence_required') evidence.focus();
      }
    };
    form.addEventListener('submit', onSubmit);
    backBtn.addEventListener('click', onBack);
    dialog.addEventListener('cancel', onEscape);
    for (const i of inputs) i.addEventListener('input', onInput);
    for (const i of [market, limit]) i.addEventListener('change', onInput);
    reason.addEventListener('input', clearReason);
    evidence.addEventListener('input', clearEvidence);
    openModal(dialog, p ? qtyIn : reason);
    if (p) qtyIn.select();
  });
}

/**
 * opts: { title, body: Node[], ok: label, action: async () => result, fallbackFocus }.
 * Resolves to the action's result (true for an empty one), or null when the user went back.
 */
export function confirmDialog(opts) {
  const dialog = $('#confirm');
  const form = $('#confirm-form');
  const okBtn = $('#confirm-ok');
  const cancelBtn = $('#confirm-cancel');
  const msg = $('#confirm-message');
  $('#confirm-title').textContent = opts.title;
  $('#confirm-body').replaceChildren(...opts.body);
  okBtn.textContent = opts.ok;
  okBtn.disabled = false;
  cancelBtn.disabled = false;
  msg.hidden = true;

  return new Promise((resolve) => {
    let busy = false;
    const finish = (result) => {
      form.removeEventListener('submit', onSubmit);
      cancelBtn.removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onEscape);
      closeModal(dialog, opts.fallbackFocus);
      resolve(result);
    };
    const onCancel = () => {
      if (!busy) finish(null);
    };
    const onEscape = (e) => {
      e.preventDefault();
      if (!busy) finish(null);
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (busy) return;
      busy = true;
      okBtn.disabled = true;
      cancelBtn.disabled = true;
      const label = okBtn.textContent;
      okBtn.textContent = 'Sending…';
      msg.hidden = true;
      try {
        const result = await opts.action();
        busy = false;
        finish(result ?? true);
      } catch (err) {
        busy = false;
        msg.textContent = describeError(err);
        msg.hidden = false;
        okBtn.textContent = err.code === 'network' ? 'Send again' : label;
        okBtn.disabled = false;
        cancelBtn.disabled = false;
        if (err.status === 401) finish(null);
      }
    };
    form.addEventListener('submit', onSubmit);
    cancelBtn.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onEscape);
    openModal(dialog, cancelBtn);
  });
}

/** A list of lines for a confirmation body. */
export function lines(items) {
  return h('ul', { class: 'confirm-list' }, items.map((t) => h('li', {}, t)));
}
