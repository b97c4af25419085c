// The live stream GET /api/v1/admin/stream (Server-Sent Events; the staff cookie goes along
// by itself) and the activity feed it fills: order, trade, position, login, staff, mode and
// job events, newest on top, at most MAX_ROWS rows. Other modules subscribe with onEvent().
// A refused stream (401, 404, not an event stream) is retried with back-off; meanwhile the
// views fall back to polling (overview every 2 s, a job every second).

import { $, h } from '../js/dom.js';
import { money, qty, clock } from '../js/format.js';
import { displayName } from '../js/validate.js';
import { jobCounts } from './words.js';

export const KINDS = ['order', 'trade', 'position', 'login', 'staff', 'mode', 'job'];
const MAX_ROWS = 200;
const RETRY_MIN_MS = 3000;
const RETRY_MAX_MS = 60000;

const listeners = new Map(); // kind -> Set(fn); 'open' on every (re)connection
let source = null;
let retryTimer = null;
let retryMs = RETRY_MIN_MS;
let hooks = null;
let live = false;

export function onEvent(kind, fn) {
  if (!listeners.has(kind)) listeners.set(kind, new Set());
  listeners.get(kind).add(fn);
}

function emit(kind, data) {
  for (const fn of listeners.get(kind) ?? []) {
    try {
      fn(data);
    } catch (e) {
      console.error(e); // one view's bug must not stop the others
    }
  }
}

/** True while the stream is open: views may then rely on it instead of polling. */
export const isLive = () => live;

export function initFeed() {
  $('#feed-clear').addEventListener('click', () => $('#feed-list').replaceChildren());
}

/** hooks.state(s): 'connecting' | 'live' | 'reconnecting' | 'refused'; hooks.refused(): check the session. */
export function startFeed(h) {
  stopFeed();
  hooks = h;
  connect();
}

export function stopFeed() {
  if (source) source.close();
  source = null;
  live = false;
  clearTimeout(retryTimer);
  retryTimer = null;
  hooks = null;
}

function connect() {
  if (!hooks || typeof EventSource === 'undefined') {
    hooks?.state('refused');
    return;
  }
  hooks.state(retryMs > RETRY_MIN_MS ? 'reconnecting' : 'connecting');
  const es = new EventSource('/api/v1/admin/stream');
  source = es;
  for (const kind of KINDS) es.addEventListener(kind, (e) => handle(kind, e.data));
  es.onmessage = (e) => {
    const msg = parse(e.data);
    if (msg && KINDS.includes(msg.type)) handle(msg.type, msg.data && typeof msg.data === 'object' ? msg.data : msg);
  };
  es.onopen = () => {
    if (source !== es) return;
    live = true;
    retryMs = RETRY_MIN_MS;
    hooks?.state('live');
    emit('open', null);
  };
  es.onerror = () => {
    if (source !== es) return;
    live = false;
    if (es.readyState === EventSource.CLOSED) {
      source = null;
      hooks?.state('refused');
      hooks?.refused();
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      return;
    }
    hooks?.state('reconnecting'); // the browser reconnects by itself
  };
}

function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

function handle(kind, raw) {
  const data = typeof raw === 'string' ? parse(raw) : raw;
  if (!data || typeof data !== 'object') return;
  addRow(kind, data);
  emit(kind, data);
}

const who = (d) => (d.ucc ? `${d.ucc} · ` : '');

function describe(kind, d) {
  switch (kind) {
    case 'order':
      return `${who(d)}${d.side} ${qty(d.qty)} ${displayName(d)} ${d.product ?? ''} ${d.status}` +
        (d.filled_qty ? ` (${qty(d.filled_qty)} filled)` : '') +
        (d.placed_by ? ` · by ${d.placed_by === 'staff' ? 'desk' : d.placed_by}` : d.source === 'main' ? ' · main site' : '');
    case 'trade':
      return `${who(d)}${d.side} ${qty(d.qty)} ${displayName(d)} at ${money(d.price)}`;
    case 'position':
      return `${who(d)}${displayName(d)} ${d.product ?? ''} net ${qty(d.net_qty)}` +
        (d.pending_exit_qty ? `, ${qty(d.pending_exit_qty)} pending exit` : '');
    case 'login':
      return d.staff ? `Staff ${d.staff} logged in` : `${d.ucc ?? 'An investor'} logged in`;
    case 'staff':
      return `${d.user ?? 'staff'}: ${d.action ?? 'action'}${d.ucc ? ` for ${d.ucc}` : ''}` +
        (d.outcome ? ` — ${outcomeText(d.outcome)}` : '') +
        (d.reason ? ` · “${d.reason}”` : '') + (d.evidence_ref ? ` [${d.evidence_ref}]` : '');
    case 'mode':
      return `Mode is now ${String(d.mode ?? '?').toUpperCase()}`;
    case 'job':
      return `Job ${d.job_id} ${d.product ?? ''} ${d.state}: ${jobCounts(d)}`;
    default:
      return JSON.stringify(d);
  }
}

/** A staff event's outcome: {"status": 202, "orders": [...], "error": null} or plain text. */
function outcomeText(o) {
  if (typeof o !== 'object' || o === null) return String(o);
  if (typeof o.status === 'number') {
    const ok = o.status >= 200 && o.status < 300;
    const orders = Array.isArray(o.orders) && o.orders.length ? ` (${o.orders.join(', ')})` : '';
    return ok ? `accepted${orders}` : `refused ${o.status}${o.error ? ` ${o.error}` : ''}`;
  }
  return Object.entries(o).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ');
}

function addRow(kind, d) {
  const list = $('#feed-list');
  if (!list) return;
  const time = d.time ?? d.updated_at ?? d.since ?? new Date().toISOString();
  const row = h(
    'li',
    { 'data-kind': kind },
    h('time', { class: 'feed-time', datetime: time }, clock(time)),
    h('span', { class: 'feed-kind' }, kind),
    h('span', { class: 'feed-text' }, describe(kind, d)),
  );
  // One row per job: its progress replaces the previous row instead of flooding the feed.
  if (kind === 'job' && d.job_id !== undefined) {
    row.dataset.job = String(d.job_id);
    list.querySelector(`li[data-job="${CSS.escape(String(d.job_id))}"]`)?.remove();
  }
  list.prepend(row);
  while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
}
