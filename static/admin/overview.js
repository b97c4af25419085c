// The overview: GET /api/v1/admin/overview every 2 s while the area is shown and the
// browser tab is visible (the server computes it at most once a second for everyone).

import { $, h, syncList } from '../js/dom.js';
import { money, qty, clock } from '../js/format.js';
import { request, describeError } from './api.js';
import { jobCounts, JOB_FINAL } from './words.js';
import * as session from './session.js';

const REFRESH_MS = 2000;
const SOURCES = ['main', 'investor', 'staff', 'bulk'];
let timer = null;
let shown = false;
let inFlight = false;
let last = null;

export function initOverview() {
  document.addEventListener('visibilitychange', () => {
    if (shown && document.visibilityState === 'visible') refresh();
  });
}

/** The latest overview (or null), e.g. for the bulk confirmation's position count. */
export const latest = () => last;

export function showOverview() {
  shown = true;
  if (!timer) timer = setInterval(refresh, REFRESH_MS);
  refresh();
}

export function hideOverview() {
  shown = false;
  clearInterval(timer);
  timer = null;
}

export async function fetchOverview() {
  const o = await request('GET', '/overview');
  last = o;
  session.setMode(o?.mode, o?.since);
  return o;
}

async function refresh() {
  if (!shown || inFlight || document.visibilityState !== 'visible') return;
  inFlight = true;
  try {
    const o = await fetchOverview();
    $('#overview-error').hidden = true;
    if (shown) render(o ?? {});
  } catch (err) {
    if (err.status !== 401) {
      $('#overview-error').textContent = `Overview not updated: ${describeError(err)}`;
      $('#overview-error').hidden = false;
    }
  } finally {
    inFlight = false;
  }
}

function tile(label, value, note = '', tone = '') {
  return h('div', { class: `tile ${tone}` }, h('span', { class: 'tile-label' }, label), h('span', { class: 'tile-value' }, value), note ? h('span', { class: 'tile-note' }, note) : null);
}

const num = (v) => (typeof v === 'number' ? qty(v) : '—');

function render(o) {
  $('#overview-asof').textContent = `Trading date ${o.trading_date ?? '—'} · as of ${clock(o.as_of ?? new Date().toISOString())} · refreshed every 2 s`;
  const ex = o.exchange && typeof o.exchange === 'object' ? o.exchange : {};
  const exStates = Object.values(ex).map((v) => (typeof v === 'object' && v ? v.state ?? v.status : v));
  const exUp = exStates.filter((s) => /^(active|logged_on|up|connected|ok)$/i.test(String(s))).length;
  $('#overview-tiles').replaceChildren(
    tile('Exchange sessions', `${exUp} / ${exStates.length}`, 'logged on', exStates.length && exUp < exStates.length ? 'bad' : ''),
    tile('Investors logged in', num(o.investors_logged_in), `${num(o.investor_streams)} live streams`),
    tile('Staff logged in', num(o.staff_logged_in)),
    tile('Open positions', num(o.open_positions_total)),
    tile('Write backlog', num(o.write_backlog), 'database writes queued', o.write_backlog > 1000 ? 'warn' : ''),
    tile('Outbox depth', num(o.outbox_depth), 'messages not yet delivered', o.outbox_depth > 1000 ? 'warn' : ''),
    tile('Jobs running', num((o.jobs ?? []).filter((j) => !JOB_FINAL.has(j.state)).length)),
  );

  const counts = [
    ['Orders', o.orders_today ?? {}],
    ['Trades', o.trades_today ?? {}],
  ];
  $('#counts-body').replaceChildren(
    ...counts.map(([label, c]) =>
      h('tr', {}, h('th', { scope: 'row' }, label), ...SOURCES.map((s) => h('td', { class: 'num' }, num(c[s] ?? 0))), h('td', { class: 'num' }, num(SOURCES.reduce((t, s) => t + (Number(c[s]) || 0), 0)))),
    ),
  );

  $('#exchange-list').replaceChildren(
    ...Object.entries(ex).flatMap(([name, v]) => [
      h('dt', {}, name.replace(/_/g, ' ')),
      h('dd', {}, typeof v === 'object' && v ? Object.entries(v).map(([k, x]) => `${k}: ${x}`).join(', ') : String(v)),
    ]),
  );

  const jobs = (o.jobs ?? []).filter((j) => !JOB_FINAL.has(j.state));
  $('#overview-jobs-empty').hidden = jobs.length > 0;
  $('#overview-jobs').replaceChildren(
    ...jobs.map((j) =>
      h(
        'li',
        {},
        h('a', { href: '#bulk' }, `Job ${j.job_id}`),
        ` · ${j.product ?? ''}${j.segment ? ' ' + j.segment : ''} · ${j.state} · ${jobCounts(j)} · by ${j.created_by ?? '—'}`,
        h('progress', { max: String(Math.max(1, j.total || 0)), value: String((j.filled || 0) + (j.rejected || 0)) }),
      ),
    ),
  );

  const open = Array.isArray(o.open_positions) ? o.open_positions : [];
  $('#openpos-total').textContent = o.open_positions_total !== undefined ? `(${qty(o.open_positions_total)} client positions; largest exposure first)` : '';
  $('#openpos-empty').hidden = open.length > 0;
  $('#openpos-table').hidden = open.length === 0;
  syncList($('#openpos-body'), open, (p) => String(p.instrument), (p) =>
    h(
      'tr',
      {},
      h('td', {}, h('span', { class: 'inst' }, p.symbol || p.instrument)),
      h('td', {}, p.segment ?? ''),
      h('td', { class: 'num' }, qty(p.net_qty)),
      h('td', { class: 'num' }, qty(p.long_qty)),
      h('td', { class: 'num' }, qty(p.short_qty)),
      h('td', { class: 'num' }, money(p.exposure)),
      h('td', { class: 'num' }, qty(p.clients)),
    ),
  );
}
