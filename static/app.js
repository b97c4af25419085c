// IRRA investor page: the entry module. Decides which screen shows — the standby/recovery
// notice, login, or the account — from GET /api/v1/status (polled every 10 s) and
// GET /api/v1/session, and wires the views to the data and the live stream.

import { $, announce, showScreen } from './js/dom.js';
import {
  request,
  asList,
  setCsrf,
  restoreCsrf,
  onUnauthorized,
  onModeRefused,
} from './js/api.js';
import { MODE_NOTICES, describeError } from './js/messages.js';
import { clock } from './js/format.js';
import { initLogin, showLogin } from './js/login.js';
import { initTabs, restoreTab } from './js/tabs.js';
import { initPositions } from './js/positions.js';
import { initTicket } from './js/ticket.js';
import { initOrders } from './js/orders.js';
import { initBooks } from './js/books.js';
import { startLive, stopLive } from './js/live.js';
import * as store from './js/store.js';

const STATUS_POLL_MS = 10000;
const LIVE_WORDS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Updating every 5 s',
};

let mode = null; // last mode seen from /status
let resuming = false;
let refreshing = null;

function boot() {
  initLogin(enterApp);
  initTabs(onTab);
  initPositions();
  initTicket();
  initOrders();
  initBooks();
  onUnauthorized(sessionEnded);
  onModeRefused((m) => applyMode(m, null));
  $('#logout').addEventListener('click', logout);
  $('#status-close').addEventListener('click', () => announce(''));
  checkStatus();
  setInterval(checkStatus, STATUS_POLL_MS);
}

const currentScreen = () => document.body.dataset.current;

async function checkStatus() {
  let s;
  try {
    s = await request('GET', '/status', { auth: false, timeoutMs: 8000 });
  } catch (err) {
    if (currentScreen() === 'screen-loading') {
      $('#loading-text').textContent =
        err.code === 'network'
          ? 'Cannot reach the service right now. Trying again every 10 seconds…'
          : describeError(err);
    }
    return;
  }
  applyMode(s?.mode, s?.since);
}

function applyMode(next, since) {
  const changed = next !== mode;
  mode = next;
  if (next === 'active') {
    if (currentScreen() === 'screen-loading' || currentScreen() === 'screen-notice') resumeSession();
    return;
  }
  // standby, recovery (or anything unknown): a calm notice and nothing else.
  const notice = MODE_NOTICES[next] ?? MODE_NOTICES.standby;
  $('#notice-title').textContent = notice.title;
  $('#notice-body').textContent = notice.body;
  $('#notice-detail').textContent = notice.detail;
  $('#notice-checked').textContent =
    `Last checked at ${clock(new Date().toISOString())}` + (since ? ` · in this state since ${clock(since)}` : '') + '.';
  if (currentScreen() !== 'screen-notice' || changed) {
    leaveApp();
    document.title = `IRRA · ${notice.title}`;
    showScreen('screen-notice', { focus: currentScreen() !== 'screen-loading' || changed });
  }
}

async function resumeSession() {
  if (resuming) return;
  resuming = true;
  restoreCsrf();
  try {
    const s = await request('GET', '/session', { auth: false });
    setCsrf(s?.csrf_token);
    enterApp(s?.client ?? null);
  } catch (err) {
    if (err.status === 401) {
      setCsrf(null);
      document.title = 'IRRA · Log in';
      showLogin();
    } else if (err.code !== 'standby' && err.code !== 'recovery') {
      $('#loading-text').textContent = describeError(err);
      showScreen('screen-loading');
    }
  } finally {
    resuming = false;
  }
}

function enterApp(client) {
  store.setClient(client);
  const name = client?.name ? `${client.name} · ${client.ucc ?? ''}` : client?.ucc ?? '';
  $('#client-line').textContent = name;
  $('#session-bar').hidden = false;
  document.title = 'IRRA · Your positions';
  showScreen('screen-app');
  restoreTab();
  refreshAll();
  startLive({
    refresh: refreshAll,
    positions: () => request('GET', '/positions').then((d) => store.replacePositions(asList(d, 'positions')), () => {}),
    state: showLiveState,
    closed: () => request('GET', '/session').catch(() => {}), // a 401 here ends the session
  });
}

function showLiveState(state) {
  const el = $('#live');
  el.dataset.state = state;
  $('#live-text').textContent = LIVE_WORDS[state] ?? state;
}

/** Fetches every collection; concurrent calls share one round of requests. */
function refreshAll() {
  if (refreshing) return refreshing;
  const get = (path) => request('GET', path);
  refreshing = Promise.allSettled([
    get('/positions').then((d) => store.replacePositions(asList(d, 'positions'))),
    get('/orders').then((d) => store.replaceOrders(asList(d, 'orders'))),
    get('/trades').then((d) => store.replaceTrades(asList(d, 'trades'))),
    get('/holdings').then((d) => store.replaceHoldings(asList(d, 'holdings'))),
    get('/funds').then((d) => store.replaceFunds(d && typeof d === 'object' && d.funds ? d.funds : d)),
  ]).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function onTab() {
  // All data is kept current by the stream; nothing to fetch on a tab change.
}

function closeDialogs() {
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
}

function leaveApp() {
  stopLive();
  closeDialogs();
  $('#session-bar').hidden = true;
  store.reset();
}

function sessionEnded() {
  if (currentScreen() === 'screen-login' || currentScreen() === 'screen-notice') return;
  leaveApp();
  setCsrf(null);
  document.title = 'IRRA · Log in';
  showLogin('Your session has ended (30 minutes without activity, or 12 hours after logging in). Please log in again.', 'info');
}

async function logout() {
  const button = $('#logout');
  button.disabled = true;
  try {
    await request('POST', '/auth/logout', { body: {}, auth: false });
  } catch {
    // Whatever the answer, this page forgets the session; the server expires it anyway.
  } finally {
    button.disabled = false;
  }
  leaveApp();
  setCsrf(null);
  announce('');
  document.title = 'IRRA · Log in';
  showLogin('You have logged out.', 'info');
}

boot();
