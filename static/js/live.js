// Live updates from GET /api/v1/stream (Server-Sent Events, same origin, the session cookie
// goes along by itself). Named events "order", "trade" and "position" each carry one REST
// object as JSON and are applied in place. Every (re)connection starts with a fresh REST
// snapshot, so nothing missed while disconnected stays missing. When the stream cannot be
// had, the page polls the REST API every 5 seconds and keeps trying the stream.

import * as store from './store.js';

const POLL_MS = 5000;
const STALL_MS = 8000; // reconnecting for longer than this: poll meanwhile
const RETRY_MIN_MS = 5000;
const RETRY_MAX_MS = 60000;

let source = null;
let pollTimer = null;
let stallTimer = null;
let retryTimer = null;
let retryMs = RETRY_MIN_MS;
let hooks = null;
let running = false;

const HANDLERS = {
  order: store.upsertOrder,
  trade: (t) => {
    store.upsertTrade(t);
    // A fill moves a position; if its "position" event is late or missing, the REST
    // snapshot still brings the new quantity within a second.
    schedulePositions();
  },
  position: (p) => {
    store.upsertPosition(p);
    clearTimeout(positionsTimer);
    positionsTimer = null;
  },
};
let positionsTimer = null;

function schedulePositions() {
  if (positionsTimer || !hooks?.positions) return;
  positionsTimer = setTimeout(() => {
    positionsTimer = null;
    hooks.positions();
  }, 1000);
}

/**
 * hooks.refresh(): fetch the REST snapshots; hooks.positions(): fetch positions only;
 * hooks.state(s): s is 'connecting' | 'live' |
 * 'reconnecting' | 'polling'; hooks.closed(): the stream was refused (maybe the session
 * ended: the caller checks /api/v1/session).
 */
export function startLive(h) {
  stopLive();
  hooks = h;
  running = true;
  connect();
}

export function stopLive() {
  running = false;
  if (source) source.close();
  source = null;
  clearInterval(pollTimer);
  clearTimeout(stallTimer);
  clearTimeout(retryTimer);
  clearTimeout(positionsTimer);
  pollTimer = stallTimer = retryTimer = positionsTimer = null;
}

function connect() {
  if (!running) return;
  if (typeof EventSource === 'undefined') {
    startPolling();
    return;
  }
  hooks.state(pollTimer ? 'polling' : 'connecting');
  const es = new EventSource('/api/v1/stream');
  source = es;
  for (const [name, apply] of Object.entries(HANDLERS)) {
    es.addEventListener(name, (e) => handle(apply, e.data));
  }
  // Unnamed events may carry {"type": "order", ...} or {"type": "order", "data": {...}}.
  es.onmessage = (e) => {
    const msg = parse(e.data);
    const apply = msg && HANDLERS[msg.type];
    if (apply) apply(msg.data && typeof msg.data === 'object' ? msg.data : msg);
  };
  es.onopen = () => {
    if (source !== es) return;
    retryMs = RETRY_MIN_MS;
    clearTimeout(stallTimer);
    stallTimer = null;
    stopPolling();
    hooks.state('live');
    hooks.refresh();
  };
  es.onerror = () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // Refused outright (401, 404, not an event stream): poll and try again later.
      source = null;
      startPolling();
      hooks.closed();
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      return;
    }
    // The browser reconnects by itself; poll if that takes a while.
    hooks.state(pollTimer ? 'polling' : 'reconnecting');
    if (!stallTimer && !pollTimer) {
      stallTimer = setTimeout(() => {
        stallTimer = null;
        if (source === es && es.readyState !== EventSource.OPEN) startPolling();
      }, STALL_MS);
    }
  };
}

function handle(apply, data) {
  const obj = parse(data);
  if (obj && typeof obj === 'object') apply(obj);
}

function parse(data) {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

function startPolling() {
  if (!running) return;
  hooks.state('polling');
  if (pollTimer) return;
  hooks.refresh();
  pollTimer = setInterval(() => hooks.refresh(), POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}
