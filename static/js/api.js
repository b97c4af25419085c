// The one place that talks to /api/v1. Same-origin fetch: the HttpOnly session cookie
// (__Host-irra_session) travels by itself and is never visible here. State-changing calls
// carry the CSRF token the server gave at login (kept in memory, and in sessionStorage so a
// reload of this tab can carry on; /api/v1/session hands it out again anyway).

const BASE = '/api/v1';
const CSRF_KEY = 'irra.csrf';
const TIMEOUT_MS = 15000;

let csrfToken = null;
const hooks = { unauthorized: () => {}, mode: () => {} };

export class ApiError extends Error {
  constructor(status, code, serverMessage, data) {
    super(serverMessage || code || `HTTP ${status}`);
    this.status = status; // 0 when no answer arrived
    this.code = code; // the contract's "error" field, or a local one ("network")
    this.serverMessage = serverMessage;
    this.data = data;
  }
}

/** 401 anywhere (except the login calls) ends the session; 503 standby/recovery flips mode. */
export function onUnauthorized(fn) {
  hooks.unauthorized = fn;
}
export function onModeRefused(fn) {
  hooks.mode = fn;
}

export function setCsrf(token) {
  csrfToken = token || null;
  try {
    if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    // Storage can be disabled (private mode): memory alone still works for this page.
  }
}

export function restoreCsrf() {
  try {
    csrfToken = sessionStorage.getItem(CSRF_KEY);
  } catch {
    csrfToken = null;
  }
  return csrfToken;
}

/** A fresh key per user action: a retry of that action reuses it, so it is sent once. */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends one request and returns the parsed JSON (null for 204). Throws ApiError on any
 * non-2xx answer or when no answer arrives. `opts.auth === false` marks the login calls,
 * whose 401 means "wrong code", not "session over".
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? TIMEOUT_MS);
  init.signal = controller.signal;
  let res;
  try {
    res = await fetch(BASE + path, init);
  } catch (e) {
    throw new ApiError(0, 'network', '', { cause: String(e) });
  } finally {
    clearTimeout(timer);
  }

  let data = null;
  if (res.status !== 204) {
    const text = await res.text().catch(() => '');
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }
  if (res.ok) return data;

  const code = (data && typeof data.error === 'string' && data.error) || statusCode(res.status);
  const err = new ApiError(res.status, code, data && data.message, data);
  if (res.status === 401 && opts.auth !== false) hooks.unauthorized(err);
  if (res.status === 503 && (code === 'standby' || code === 'recovery')) hooks.mode(code);
  throw err;
}

function statusCode(status) {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'too_large';
    case 429:
      return 'rate_limited';
    case 503:
      return 'unavailable';
    default:
      return `http_${status}`;
  }
}

/** Lists may come bare (the contract) or wrapped ({"positions": [...]}); accept both. */
export function asList(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}
