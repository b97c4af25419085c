// Numbers for people: rupees with Indian digit grouping (1,23,456.50), signed P&L, times in
// the investor's own clock. Prices arrive as JSON numbers in rupees with at most two
// decimals; anything compared or validated is first turned into integer paise.

const inr = new Intl.NumberFormat('en-IN', {
  style: 'currency',
  currency: 'INR',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const count = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 0 });
const time = new Intl.DateTimeFormat('en-IN', {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const dateTime = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeStyle: 'short' });

// U+2212 is the real minus sign: screen readers say "minus", and it lines up with "+".
const MINUS = '\u2212';

/** Rupees → integer paise, or null for anything that is not a finite number. */
export function toPaise(rupees) {
  if (typeof rupees !== 'number' || !Number.isFinite(rupees)) return null;
  return Math.round(rupees * 100);
}

/** "₹1,23,456.50"; an em dash when the value is unknown. */
export function money(rupees) {
  const p = toPaise(rupees);
  if (p === null) return '—';
  return (p < 0 ? MINUS : '') + inr.format(Math.abs(p) / 100);
}

/** Signed money for P&L: "+₹1,200.00", "−₹350.50", "₹0.00". */
export function signedMoney(rupees) {
  const p = toPaise(rupees);
  if (p === null) return '—';
  const sign = p > 0 ? '+' : p < 0 ? MINUS : '';
  return sign + inr.format(Math.abs(p) / 100);
}

/** 'gain' | 'loss' | 'flat' — used for a CSS class; the sign carries the meaning too. */
export function pnlTone(rupees) {
  const p = toPaise(rupees);
  if (p === null || p === 0) return 'flat';
  return p > 0 ? 'gain' : 'loss';
}

/** Whole quantities with Indian grouping; negative (short) quantities keep a minus sign. */
export function qty(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  return (n < 0 ? MINUS : '') + count.format(Math.abs(n));
}

export function clock(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? time.format(d) : '—';
}

export function when(iso) {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? dateTime.format(d) : '—';
}

/**
 * Parses what the investor typed as a price ("2450", "2450.5", "2,450.05") into integer
 * paise. Returns null unless it is a plain non-negative decimal with at most two decimals,
 * so no floating-point rounding ever decides a price.
 */
export function parsePricePaise(text) {
  const s = String(text ?? '').trim().replace(/,/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(2, '0');
  return Number(m[1]) * 100 + Number(frac);
}

/** Integer paise → the JSON number of rupees the API expects (2450.05). */
export function paiseToRupees(p) {
  return Number((p / 100).toFixed(2));
}
