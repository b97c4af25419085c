// The staff terminal's only fetch caller, for /api/v1/admin/... (and the public /status).
// Same-origin: the HttpOnly staff cookie (__Host-irra_staff) travels by itself. The CSRF
// token from login or GET /session is kept in memory and in sessionStorage (this tab only)
// and sent as X-CSRF-Token on every state-changing call.

const CSRF_KEY = 'irra.staff.csrf';
const TIMEOUT_MS = 15000;

let csrfToken = null;
const hooks = { unauthorized: () => {} };

export class ApiError extends Error {
  constructor(status, code, serverMessage, data, retryAfter) {
    super(serverMessage || code || `HTTP ${status}`);
    this.status = status; // 0 when no answer arrived
    this.code = code; // the API's "error" field, or a local one ("network")
    this.serverMessage = serverMessage || '';
    this.data = data;
    this.retryAfter = retryAfter; // seconds, for 429
  }
}

/** A 401 from any call but login/session ends the session on the page. */
export function onUnauthorized(fn) {
  hooks.unauthorized = fn;
}

export function setCsrf(token) {
  csrfToken = token || null;
  try {
    if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    // No storage: memory alone still works for this page.
  }
}

export function restoreCsrf() {
  try {
    csrfToken = sessionStorage.getItem(CSRF_KEY);
  } catch {
    csrfToken = null;
  }
}

/** One fresh key per confirmed action; a retry of the same action after no answer reuses it. */
export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends one request to /api/v1/admin + path (or /api/v1 + path with opts.publicApi) and
 * returns the parsed JSON (null for 204). Throws ApiError on a non-2xx answer or none.
 * opts: body, idempotencyKey, auth (false: a 401 is an answer, not "session over"), timeoutMs.
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
    res = await fetch((opts.publicApi ? '/api/v1' : '/api/v1/admin') + path, init);
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
  let retryAfter = Number(data?.retry_after);
  if (!Number.isFinite(retryAfter)) retryAfter = Number(res.headers.get('Retry-After'));
  const err = new ApiError(res.status, code, data?.message, data, Number.isFinite(retryAfter) ? retryAfter : null);
  if (res.status === 401 && opts.auth !== false) hooks.unauthorized(err);
  throw err;
}

function statusCode(status) {
  const known = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 429: 'rate_limited', 503: 'unavailable' };
  return known[status] ?? `http_${status}`;
}

/** Lists may come bare or wrapped ({"orders": [...]}); accept both. */
export function asList(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

/** The API's refusal in words for staff: the code and the server's own message. */
export function describeError(err) {
  if (!err) return '';
  switch (err.code) {
    case 'network':
      return 'No answer from the server: the request may not have arrived. Sending again is safe (same Idempotency-Key).';
    case 'unauthorized':
      return 'Your staff session has ended. Please log in again.';
    case 'forbidden':
      return 'Your role does not allow this action.';
    case 'csrf':
      return 'The request was refused (CSRF token). Reload the page and try again.';
    case 'rate_limited':
      return err.retryAfter ? `Too many attempts. Try again in ${err.retryAfter} s.` : 'Too many attempts. Try again later.';
    default: {
      const msg = err.serverMessage ? `: ${err.serverMessage}` : '';
      return `Refused (${err.code || 'HTTP ' + err.status})${msg}`;
    }
  }
}
