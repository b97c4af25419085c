// Login: client code (UCC) or PAN → POST /auth/otp → the masked mobile and email the code
// went to → the 6-digit code → POST /auth/login. The server answers an unknown client code
// exactly like a known one (no account enumeration), so this page never claims that a
// code "was sent" for certain; it says where it would have gone.

import { $, showScreen } from './dom.js';
import { request, setCsrf } from './api.js';
import { describeError } from './messages.js';

const MAX_TRIES = 5; // the server's limit per challenge (quality.md, OTP)

let challenge = null; // { id, login, wrong }
let loggedIn = () => {};
let busy = false;

export function initLogin(onLoggedIn) {
  loggedIn = onLoggedIn;
  $('#otp-form').addEventListener('submit', onRequestOtp);
  $('#login-form').addEventListener('submit', onLogin);
  $('#otp-resend').addEventListener('click', () => requestOtp($('#login-id').value, true));
  $('#otp-restart').addEventListener('click', () => {
    challenge = null;
    stepOne();
    $('#login-id').focus();
  });
  const otp = $('#otp');
  otp.addEventListener('input', () => {
    const digits = otp.value.replace(/\D/g, '').slice(0, 6);
    if (digits !== otp.value) otp.value = digits;
    fieldError('otp', '');
  });
  $('#login-id').addEventListener('input', () => fieldError('login-id', ''));
}

/** Shows the login screen at its first step; `message` explains why (session ended...). */
export function showLogin(message = '', tone = 'info') {
  challenge = null;
  busy = false;
  stepOne();
  showScreen('screen-login');
  formMessage(message, tone);
}

function stepOne() {
  $('#otp-form').hidden = false;
  $('#login-form').hidden = true;
  $('#otp').value = '';
  setBusy('#otp-submit', false, 'Send one-time code');
  setBusy('#login-submit', false, 'Log in');
  formMessage('');
}

function formMessage(text, tone = 'error') {
  const m = $('#login-message');
  m.textContent = text;
  m.dataset.tone = tone;
  m.hidden = !text;
}

function fieldError(id, text) {
  const input = $('#' + id);
  const err = $(`#${id}-error`);
  err.textContent = text;
  err.hidden = !text;
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function setBusy(sel, on, label) {
  const b = $(sel);
  b.disabled = on;
  b.textContent = label;
}

function onRequestOtp(e) {
  e.preventDefault();
  requestOtp($('#login-id').value, false);
}

async function requestOtp(raw, resend) {
  if (busy) return;
  const login = String(raw ?? '').trim().toUpperCase();
  if (!/^[A-Z0-9]{1,20}$/.test(login)) {
    stepOne();
    fieldError('login-id', login ? 'Use letters and digits only, as on your contract note.' : 'Enter your client code or PAN.');
    $('#login-id').focus();
    return;
  }
  busy = true;
  formMessage('');
  const button = resend ? '#otp-resend' : '#otp-submit';
  const label = $(button).textContent;
  setBusy(button, true, 'Sending…');
  try {
    const res = await request('POST', '/auth/otp', { body: { login }, auth: false });
    challenge = { id: res?.challenge_id, login, wrong: 0 };
    stepTwo(res?.sent_to ?? {}, resend);
  } catch (err) {
    formMessage(
      err.status === 429
        ? 'Too many code requests. Please wait a few minutes before asking for a new code.'
        : describeError(err),
    );
  } finally {
    busy = false;
    setBusy(button, false, label);
  }
}

function stepTwo(sentTo, resend) {
  const where = [];
  if (sentTo.mobile) where.push(`your mobile ${sentTo.mobile}`);
  if (sentTo.email) where.push(`your email ${sentTo.email}`);
  $('#sent-to').textContent =
    `${resend ? 'A new code was sent' : 'We have sent a 6-digit code'} to ${where.length ? where.join(' and ') : 'your registered mobile and email'}` +
    ` for ${challenge.login}. If nothing arrives within a minute, check the client code and send a new code.`;
  $('#otp-form').hidden = true;
  $('#login-form').hidden = false;
  $('#otp').value = '';
  fieldError('otp', '');
  $('#otp').focus();
}

async function onLogin(e) {
  e.preventDefault();
  if (busy || !challenge) return;
  const otp = $('#otp').value.trim();
  if (!/^\d{6}$/.test(otp)) {
    fieldError('otp', 'Enter the 6 digits of the code.');
    $('#otp').focus();
    return;
  }
  busy = true;
  formMessage('');
  setBusy('#login-submit', true, 'Checking…');
  try {
    const res = await request('POST', '/auth/login', { body: { challenge_id: challenge.id, otp }, auth: false });
    setCsrf(res?.csrf_token);
    challenge = null;
    busy = false;
    loggedIn(res?.client ?? null);
  } catch (err) {
    busy = false;
    setBusy('#login-submit', false, 'Log in');
    if (err.status === 401) {
      if (/expired/.test(err.code)) {
        fieldError('otp', 'This code has expired. Please send a new code.');
      } else {
        challenge.wrong += 1;
        const serverLeft = err.data?.tries_left ?? err.data?.attempts_left;
        const left = Number.isInteger(serverLeft) ? serverLeft : Math.max(0, MAX_TRIES - challenge.wrong);
        fieldError(
          'otp',
          `That code is not correct. ${left > 0 ? `${left} ${left === 1 ? 'try' : 'tries'} left.` : ''} Use the most recent code you received.`,
        );
      }
      $('#otp').select();
      $('#otp').focus();
    } else if (err.status === 429) {
      const login = challenge?.login ?? '';
      showLogin('Too many wrong codes: for your safety that code no longer works. Please start again to get a new code.', 'error');
      $('#login-id').value = login;
      $('#login-id').focus();
    } else {
      formMessage(describeError(err));
    }
  }
}
