// Pure helpers for the staff terminal (no DOM): roles, the action restated in the trade's
// own words, slices and lots, modes and job progress. Quantities and money reuse the
// investor page's formatting and checks (/js/format.js, /js/validate.js).

import { qty } from '../js/format.js';
import { exitSide, lotSize, sliceCount, displayName } from '../js/validate.js';

export const ROLES = ['viewer', 'dealer', 'supervisor', 'admin'];

/** True when `role` includes `needed` (each role includes the ones before it). */
export function hasRole(role, needed) {
  const have = ROLES.indexOf(role);
  const want = ROLES.indexOf(needed);
  return have >= 0 && want >= 0 && have >= want;
}

const plural = (n, one, many) => `${qty(n)} ${n === 1 ? one : many}`;

/**
 * "SELL 1,800 NIFTY24DECFUT NRML (36 lots) for C001234 in 2 slices": what a square-off of
 * `q` from `position` sends, one order per slice of at most freeze_qty.
 */
export function restateSquareOff(position, q, ucc) {
  const lot = lotSize(position);
  const lots = lot > 1 && q % lot === 0 ? ` (${plural(q / lot, 'lot', 'lots')})` : '';
  const slices = sliceCount(position, q);
  return `${exitSide(position)} ${qty(q)} ${displayName(position)} ${position.product}${lots} for ${ucc} in ${plural(slices, 'slice', 'slices')}`;
}

/** "BUY 50 NIFTY24DECFUT NRML" for an order row. */
export function describeOrder(o) {
  return `${o.side} ${qty(o.qty)} ${displayName(o)} ${o.product ?? ''}`.trim();
}

export const PLACED_BY = { investor: 'investor', staff: 'desk', bulk: 'bulk' };

/** Transitions the service allows (as `irra ctl`): to ACTIVE from STANDBY or RECOVERY, etc. */
export function allowedTransitions(mode) {
  switch (mode) {
    case 'standby':
      return ['active'];
    case 'active':
      return ['recovery'];
    case 'recovery':
      return ['active', 'standby'];
    default:
      return [];
  }
}

export const MODE_ACTION = {
  active: 'Activate (take orders on the backup site)',
  recovery: 'Start recovery (stop new work, hand back to the main site)',
  standby: 'Return to standby',
};

/** "2 h 05 min" since an ISO time, for the mode banner. */
export function elapsed(iso, now = Date.now()) {
  const t = Date.parse(iso ?? '');
  if (!Number.isFinite(t)) return '';
  let s = Math.max(0, Math.floor((now - t) / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

export const JOB_FINAL = new Set(['done', 'cancelled']);

/** "sent 12 / filled 10 / rejected 1 / total 40 · running" */
export function jobCounts(job) {
  const n = (v) => qty(Number(v) || 0);
  return `sent ${n(job.sent)} / filled ${n(job.filled)} / rejected ${n(job.rejected)} / total ${n(job.total)}`;
}

/** An ISO-8601 UTC time with microseconds (the audit log's own form) from a datetime-local value. */
export function localInputToIso(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
