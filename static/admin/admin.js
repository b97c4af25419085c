// IRRA staff terminal: the entry module. Resumes a session (GET /api/v1/admin/session) or
// shows the login, keeps the mode banner current, switches between the areas (overview,
// client, bulk square-off, mode, audit; the URL hash remembers which) and runs the live
// stream that feeds the activity list and the views.

import { $, announce, showScreen } from '../js/dom.js';
import { clock } from '../js/format.js';
import { request, setCsrf, restoreCsrf, onUnauthorized, describeError } from './api.js';
import { initLogin, resetLogin } from './login.js';
import { initFeed, startFeed, stopFeed, onEvent } from './feed.js';
import { initSearch } from './search.js';
import { initOverview, showOverview, hideOverview } from './overview.js';
import { initClient, openClient } from './client.js';
import { initBulk, showBulk } from './bulk.js';
import { initMode, showMode } from './mode.js';
import { initAudit, showAudit } from './audit.js';
import { elapsed } from './words.js';
import * as session from './session.js';

const STATUS_POLL_MS = 10000;
const LIVE_WORDS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', refused: 'Stream unavailable: polling' };
const AREAS = ['overview', 'client', 'bulk', 'mode', 'audit'];

function boot() {
  initLogin(enter);
  initFeed();
  initSearch((ucc) => {
    location.hash = `#client/${encodeURIComponent(ucc)}`;
  });
  initOverview();
  initClient();
  initBulk();
  initMode();
  initAudit();
  onUnauthorized(sessionEnded);
  session.onMode(showMode);
  session.onMode(renderBanner);
  onEvent('mode', (m) => session.setMode(m.mode, m.since));
  $('#logout').addEventListener('click', logout);
  $('#status-close').addEventListener('click', () => announce(''));
  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', onKey);
  pollStatus();
  setInterval(pollStatus, STATUS_POLL_MS);
  setInterval(renderBanner, 30000); // the "since" age
  resume();
}

async function resume() {
  restoreCsrf();
  try {
    const s = await request('GET', '/session', { auth: false });
    setCsrf(s?.csrf_token);
    enter(s);
  } catch (err) {
    setCsrf(null);
    showLogin(err.status === 401 ? '' : describeError(err), 'error');
  }
}

function showLogin(message = '', tone = 'info') {
  resetLogin(message, tone);
  document.title = 'IRRA · Staff login';
  showScreen('screen-login', { focus: false });
  $('#login-user').focus();
}

/** The public /status keeps the banner right even before login. */
async function pollStatus() {
  try {
    const s = await request('GET', '/status', { publicApi: true, auth: false, timeoutMs: 8000 });
    session.setMode(s?.mode, s?.since);
  } catch {
    // The banner keeps the last known mode; the overview also refreshes it.
  }
}

function renderBanner() {
  const { mode, since } = session.get();
  const banner = $('#mode-banner');
  banner.dataset.mode = mode ?? 'unknown';
  $('#mode-name').textContent = mode ? mode.toUpperCase() : 'Mode unknown';
  $('#mode-since').textContent = since ? `since ${clock(since)} (${elapsed(since)})` : '';
}

function enter(s) {
  session.setUser(s?.user, s?.role);
  document.body.dataset.role = s?.role ?? 'viewer';
  $('#who-user').textContent = s?.user ?? '';
  $('#who-role').textContent = s?.role ?? '';
  $('#who').hidden = false;
  showScreen('screen-app', { focus: false });
  startFeed({
    state: (st) => {
      $('#live').dataset.state = st;
      $('#live-text').textContent = LIVE_WORDS[st] ?? st;
    },
    refused: () => request('GET', '/session').catch(() => {}), // a 401 here ends the session
  });
  route();
}

function route() {
  if (document.body.dataset.current !== 'screen-app') return;
  const [rawArea, ...rest] = location.hash.replace(/^#/, '').split('/');
  const area = AREAS.includes(rawArea) ? rawArea : 'overview';
  for (const panel of document.querySelectorAll('[data-area-panel]')) panel.hidden = panel.dataset.areaPanel !== area;
  for (const a of document.querySelectorAll('.areas-nav a')) {
    if (a.dataset.area === area) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `IRRA · Staff · ${area[0].toUpperCase()}${area.slice(1)}`;
  if (area === 'overview') showOverview();
  else hideOverview();
  if (area === 'client') openClient(rest.length ? decodeURIComponent(rest.join('/')) : null);
  if (area === 'bulk') showBulk();
  if (area === 'mode') showMode();
  if (area === 'audit') showAudit();
}

/** "/" jumps to the client search from anywhere except a text field or a dialog. */
function onKey(e) {
  if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
  if (document.body.dataset.current !== 'screen-app' || document.querySelector('dialog[open]')) return;
  const t = e.target;
  if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  e.preventDefault();
  $('#client-search').focus();
  $('#client-search').select();
}

function leave() {
  stopFeed();
  hideOverview();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  $('#who').hidden = true;
  delete document.body.dataset.role;
  session.setUser(null, null);
}

function sessionEnded() {
  if (document.body.dataset.current !== 'screen-app') return;
  leave();
  setCsrf(null);
  showLogin('Your session has ended (15 minutes without activity, 8 hours after login, or a server restart). Please log in again.');
}

async function logout() {
  $('#logout').disabled = true;
  try {
    await request('POST', '/auth/logout', { body: {}, auth: false });
  } catch {
    // Whatever the answer, the page forgets the session.
  } finally {
    $('#logout').disabled = false;
  }
  leave();
  setCsrf(null);
  announce('');
  showLogin('You have logged out.');
}

boot();
