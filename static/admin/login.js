// Staff login: user, password and the 6-digit TOTP code. Any wrong part gets the same 401
// from the server, so the page says so without guessing which part; a 429 says how long to
// wait and keeps the button disabled until then.

import { $ } from '../js/dom.js';
import { request, setCsrf, describeError } from './api.js';

let countdown = null;
let onLoggedIn = () => {};

export function initLogin(loggedIn) {
  onLoggedIn = loggedIn;
  $('#login-form').addEventListener('submit', submit);
  $('#login-totp').addEventListener('input', (e) => {
    e.target.value = e.target.value.replace(/\D/g, '').slice(0, 6);
  });
}

function say(text, tone = 'error') {
  const m = $('#login-message');
  m.textContent = text;
  m.dataset.tone = tone;
  m.hidden = !text;
}

/** Shows the login form, with an optional message (e.g. "your session has ended"). */
export function resetLogin(message = '', tone = 'info') {
  $('#login-password').value = '';
  $('#login-totp').value = '';
  say(message, tone);
}

async function submit(e) {
  e.preventDefault();
  if (countdown) return;
  const user = $('#login-user').value.trim();
  const password = $('#login-password').value;
  const totp = $('#login-totp').value.trim();
  if (!user || !password) {
    say('Enter your user name and password.');
    (user ? $('#login-password') : $('#login-user')).focus();
    return;
  }
  if (!/^\d{6}$/.test(totp)) {
    say('Enter the 6-digit code from your authenticator app.');
    $('#login-totp').focus();
    return;
  }
  const button = $('#login-submit');
  button.disabled = true;
  button.textContent = 'Checking…';
  say('');
  try {
    const s = await request('POST', '/auth/login', { body: { user, password, totp }, auth: false, timeoutMs: 20000 });
    setCsrf(s?.csrf_token);
    resetLogin();
    onLoggedIn(s);
  } catch (err) {
    $('#login-totp').value = '';
    if (err.status === 401) {
      say('Login refused: the user name, password or code is wrong (a code works only once). Check them and use the next code.');
      $('#login-password').focus();
    } else if (err.status === 429) {
      startCountdown(err.retryAfter);
    } else {
      say(describeError(err));
    }
  } finally {
    if (!countdown) button.disabled = false;
    button.textContent = 'Log in';
  }
}

function startCountdown(seconds) {
  const button = $('#login-submit');
  let left = Math.max(1, Math.ceil(Number(seconds) || 60));
  const tick = () => {
    if (left <= 0) {
      clearInterval(countdown);
      countdown = null;
      button.disabled = false;
      say('You can try to log in again now.', 'info');
      return;
    }
    say(`Too many failed logins. Try again in ${left} s.`);
    left -= 1;
  };
  button.disabled = true;
  tick();
  countdown = setInterval(tick, 1000);
}
