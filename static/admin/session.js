// Who is logged in (user, role) and the service's mode, shared by the staff terminal's
// views. The mode comes from /status, the overview, the stream's "mode" events and the
// answer to a mode change; listeners hear about every change.

import { hasRole } from './words.js';

const state = { user: null, role: null, mode: null, since: null };
const modeListeners = new Set();

export const get = () => state;

export function setUser(user, role) {
  state.user = user ?? null;
  state.role = role ?? null;
}

/** True when the logged-in user's role includes `needed`. */
export const can = (needed) => hasRole(state.role, needed);

export function setMode(mode, since) {
  if (!mode) return;
  const changed = mode !== state.mode || (since && since !== state.since);
  state.mode = mode;
  if (since) state.since = since;
  if (changed) for (const fn of modeListeners) fn(state);
}

export function onMode(fn) {
  modeListeners.add(fn);
}
