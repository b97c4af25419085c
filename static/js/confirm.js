// A modal confirmation that runs the confirmed action itself: the button is disabled while
// the request is in flight, an error is shown in the dialog (which stays open so the
// investor can retry — the caller reuses one Idempotency-Key for every retry of the same
// action), and focus returns to where it was when the dialog closes.

import { $, h } from './dom.js';
import { describeError } from './messages.js';

/** Opens a <dialog> modally and remembers where focus should return to. */
export function openModal(dialog, firstFocus) {
  const back = document.activeElement;
  dialog.returnFocusTo = back instanceof HTMLElement ? back : null;
  dialog.showModal();
  (firstFocus || dialog.querySelector('input, button'))?.focus();
}

export function closeModal(dialog, fallbackFocus) {
  if (dialog.open) dialog.close();
  const back = dialog.returnFocusTo;
  dialog.returnFocusTo = null;
  if (back && back.isConnected && !back.disabled) back.focus();
  else fallbackFocus?.focus();
}

/**
 * opts: { title, body: Node[] , ok: 'Confirm ...', action: async () => result,
 *         errorContext, fallbackFocus }. Resolves to the action's result, or null when
 * the investor went back.
 */
export function confirmAction(opts) {
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
      e.preventDefault(); // closing goes through finish() so focus is restored
      if (!busy) finish(null);
    };
    const onSubmit = async (e) => {
      e.preventDefault();
      if (busy) return; // a double click sends once
      busy = true;
      okBtn.disabled = true;
      cancelBtn.disabled = true;
      const label = okBtn.textContent;
      okBtn.textContent = 'Sending…';
      msg.hidden = true;
      try {
        const result = await opts.action();
        finish(result ?? true);
      } catch (err) {
        msg.textContent = describeError(err, opts.errorContext ?? {});
        msg.hidden = false;
        okBtn.textContent = err.code === 'network' ? 'Try again' : label;
        okBtn.disabled = false;
        cancelBtn.disabled = false;
        busy = false;
        if (err.status === 401 || err.code === 'standby' || err.code === 'recovery') finish(null);
      }
    };
    form.addEventListener('submit', onSubmit);
    cancelBtn.addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onEscape);
    openModal(dialog, cancelBtn);
  });
}

/** A list of lines for a confirmation body. */
export function lines(items, cls = 'confirm-list') {
  return h('ul', { class: cls }, items.map((t) => h('li', {}, t)));
}
