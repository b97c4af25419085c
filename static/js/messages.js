// The server's error codes (interfaces.md section 3) in plain words for an investor under
// stress: what happened and what to do next. The server's own message is shown only for
// codes this page does not know, so a new code is never silently swallowed.

import { money, qty } from './format.js';

export const MODE_NOTICES = {
  standby: {
    title: 'The backup site is on standby',
    body: 'The main trading site is working normally. Please use the main trading site to trade, close positions or cancel orders.',
    detail: 'This page will switch on by itself if the main site becomes unavailable. You do not need to reload it.',
  },
  recovery: {
    title: 'The main trading site is back',
    body: 'Please use the main trading site again. New square-offs are no longer taken here.',
    detail: 'Orders you placed on this backup site are still tracked and are being handed over to the main site, where you can see them.',
  },
};

/**
 * Human text for an ApiError. `context` may carry the position (for lot size, tick and
 * band) so the message can give the exact numbers.
 */
export function describeError(err, context = {}) {
  const p = context.position;
  switch (err.code) {
    case 'increases_risk':
      return 'This would exceed your open position (some quantity may already be pending to exit). Nothing was sent. The quantity you can square off has been refreshed.';
    case 'not_lot_multiple':
      return p
        ? `Quantity must be a whole number of lots: a multiple of ${qty(p.lot_size)}. Nothing was sent.`
        : 'Quantity must be a whole number of lots. Nothing was sent.';
    case 'off_tick':
      return p
        ? `Price must be a multiple of the tick size, ${money(p.tick_size)}. Nothing was sent.`
        : 'Price is not on the tick size. Nothing was sent.';
    case 'outside_band':
      return p
        ? `Price must be within today's price band, ${money(p.lower_band)} to ${money(p.upper_band)}. Nothing was sent.`
        : "Price is outside today's price band. Nothing was sent.";
    case 'no_position':
      return 'You have no open position in this instrument any more (it may just have been closed). Nothing was sent.';
    case 'invalid_quantity':
      return 'That quantity is not valid. Nothing was sent.';
    case 'invalid_price':
      return 'That price is not valid. Nothing was sent.';
    case 'no_reference_price':
      return 'There is no recent market price for this instrument, so a market square-off cannot be protected. Please choose a limit price. Nothing was sent.';
    case 'unknown_instrument':
      return 'This instrument is not known to the backup site. Nothing was sent.';
    case 'not_cancellable':
      return 'This order can no longer be cancelled: it is already filled, cancelled, rejected or expired.';
    case 'not_found':
      return 'We could not find this order. It may belong to a different account or have been removed.';
    case 'unavailable':
      return 'The backup site is busy and did not take this request. Nothing was sent. Please try again in a moment.';
    case 'standby':
      return MODE_NOTICES.standby.body;
    case 'recovery':
      return MODE_NOTICES.recovery.body;
    case 'unauthorized':
    case 'session_expired':
      return 'Your session has ended. Please log in again.';
    case 'csrf':
    case 'forbidden':
      return 'This page could not prove the request came from you. Please reload the page and try again.';
    case 'rate_limited':
    case 'too_many_requests':
      return 'Too many requests in a short time. Please wait a minute and try again.';
    case 'network':
      return 'No answer from the server. Your request may not have arrived. Trying again is safe: the same action is never carried out twice.';
    default:
      return err.serverMessage
        ? `${err.serverMessage}`
        : `Something went wrong (${err.code || 'error ' + err.status}). Please try again.`;
  }
}

export const STATUS_WORDS = {
  PENDING: 'Awaiting exchange',
  OPEN: 'Open',
  PARTIALLY_FILLED: 'Partly filled',
  FILLED: 'Filled',
  CANCELLED: 'Cancelled',
  REJECTED: 'Rejected',
  EXPIRED: 'Expired',
};

export const FINAL_STATUSES = new Set(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);
