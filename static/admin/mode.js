// Mode control (supervisor and above): the transitions the service allows from the current
// mode, each with a reason and a confirmation; POST /api/v1/admin/mode.

import { $, h, announce } from '../js/dom.js';
import { clock, when } from '../js/format.js';
import { request } from './api.js';
import { confirmDialog } from './dialogs.js';
import { allowedTransitions, elapsed, MODE_ACTION } from './words.js';
import * as session from './session.js';

const CONSEQUENCE = {
  active: 'Investors can log in to the backup site and square off; staff actions and bulk jobs run.',
  recovery: 'New square-offs stop; orders already sent are still tracked and handed over to the main site.',
  standby: 'The backup site only shows the standby notice; nothing can be sent from it.',
};

export function initMode() {
  $('#mode-form').addEventListener('submit', (e) => e.preventDefault());
  $('#mode-reason').addEventListener('input', () => setError(''));
}

function setError(text) {
  $('#mode-reason').setAttribute('aria-invalid', text ? 'true' : 'false');
  $('#mode-reason-error').textContent = text;
  $('#mode-reason-error').hidden = !text;
}

/** Renders the current mode and the buttons for the allowed transitions. */
export function showMode() {
  const { mode, since } = session.get();
  $('#mode-now').textContent = mode
    ? `The service is ${mode.toUpperCase()}` + (since ? ` since ${when(since)} (${elapsed(since)}).` : '.')
    : 'The mode is not known yet.';
  $('#mode-buttons').replaceChildren(
    ...allowedTransitions(mode).map((to) =>
      h('button', { type: 'button', class: `btn ${to === 'active' ? 'btn-danger' : 'btn-primary'}`, 'data-to': to, onclick: (e) => change(to, e.currentTarget) }, `${MODE_ACTION[to]}…`),
    ),
  );
}

async function change(to, button) {
  const reason = $('#mode-reason').value.trim();
  if (!reason) {
    setError('Enter the reason for the mode change.');
    $('#mode-reason').focus();
    return;
  }
  const from = session.get().mode;
  const result = await confirmDialog({
    title: 'Change the mode',
    body: [
      h('p', { class: 'confirm-action' }, `Switch the service from ${String(from).toUpperCase()} to ${to.toUpperCase()}`),
      h('p', {}, CONSEQUENCE[to]),
      h('p', { class: 'muted' }, `Reason: “${reason}”`),
    ],
    ok: `Switch to ${to.toUpperCase()}`,
    fallbackFocus: button,
    action: () => request('POST', '/mode', { body: { to, reason } }),
  });
  if (!result) return;
  $('#mode-reason').value = '';
  if (result && typeof result === 'object' && result.mode) session.setMode(result.mode, result.since);
  showMode();
  announce(`The service is now ${String(result.mode ?? to).toUpperCase()} (since ${clock(result.since ?? new Date().toISOString())}).`, 'success');
}
