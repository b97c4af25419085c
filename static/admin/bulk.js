// Bulk square-off (supervisor and above): product (MIS by default), optional segment and a
// reason; a confirmation restating what it does; then the job's progress — sent / filled /
// rejected / total and its state — from the stream's "job" events, or from polling
// GET /jobs/{id} every second whenever no event has arrived for a while. A running job can
// be cancelled (orders already sent stay).

import { $, h, syncList, announce } from '../js/dom.js';
import { qty, clock, when } from '../js/format.js';
import { request, asList, describeError, newIdempotencyKey } from './api.js';
import { onEvent } from './feed.js';
import { confirmDialog, lines } from './dialogs.js';
import { fetchOverview, latest } from './overview.js';
import { jobCounts, JOB_FINAL } from './words.js';

const POLL_MS = 1000;
const EVENT_FRESH_MS = 1500;

let job = null; // the job shown in the card
let lastEventAt = 0;
let pollTimer = null;
const jobs = new Map();

export function initBulk() {
  $('#bulk-form').addEventListener('submit', start);
  $('#bulk-reason').addEventListener('input', () => setReasonError(''));
  $('#job-cancel').addEventListener('click', (e) => cancelJob(e.currentTarget));
  onEvent('job', (j) => {
    if (j.job_id === undefined) return;
    jobs.set(String(j.job_id), j);
    renderJobs();
    if (!job || String(job.job_id) === String(j.job_id) || (JOB_FINAL.has(job.state) && !JOB_FINAL.has(j.state))) {
      lastEventAt = Date.now();
      track(j);
    }
  });
  onEvent('open', () => {
    if (!$('#area-bulk').hidden) loadJobs();
  });
}

export function showBulk() {
  loadJobs();
}

async function loadJobs() {
  try {
    const list = asList(await request('GET', '/jobs'), 'jobs');
    for (const j of list) jobs.set(String(j.job_id), j);
    renderJobs();
    // Show the newest job that is still working (or the one already shown).
    const working = list.find((j) => !JOB_FINAL.has(j.state));
    if (working && (!job || JOB_FINAL.has(job.state))) track(working);
    else if (job) track(jobs.get(String(job.job_id)) ?? job);
  } catch (err) {
    if (err.status !== 401) announce(`Jobs not loaded: ${describeError(err)}`, 'error');
  }
}

function renderJobs() {
  const list = Array.from(jobs.values()).sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
  $('#jobs-empty').hidden = list.length > 0;
  $('#jobs-table').hidden = list.length === 0;
  syncList($('#jobs-body'), list, (j) => String(j.job_id), (j) =>
    h(
      'tr',
      { class: JOB_FINAL.has(j.state) ? 'is-final' : '' },
      h('td', { class: 'mono' }, String(j.job_id)),
      h('td', {}, when(j.created_at)),
      h('td', {}, j.created_by ?? ''),
      h('td', {}, j.product ?? ''),
      h('td', {}, j.segment || 'all'),
      h('td', {}, j.state ?? ''),
      h('td', { class: 'num' }, qty(j.sent ?? 0)),
      h('td', { class: 'num' }, qty(j.filled ?? 0)),
      h('td', { class: 'num' }, qty(j.rejected ?? 0)),
      h('td', { class: 'num' }, qty(j.total ?? 0)),
      h('td', { class: 'wrap' }, j.reason ?? ''),
      h('td', {}, h('button', { type: 'button', class: 'btn btn-quiet btn-tiny', onclick: () => track(jobs.get(String(j.job_id)) ?? j) }, 'Show')),
    ),
  );
}

/** Shows `j` in the progress card and keeps it current until it is done or cancelled. */
function track(j) {
  job = j;
  jobs.set(String(j.job_id), j);
  const card = $('#job-card');
  card.hidden = false;
  const total = Number(j.total) || 0;
  const finished = (Number(j.filled) || 0) + (Number(j.rejected) || 0);
  $('#job-title').textContent = `Job ${j.job_id}`;
  $('#job-what').textContent =
    `Square off every open ${j.product ?? ''} position${j.segment ? ` in ${j.segment}` : ''} · by ${j.created_by ?? '—'} at ${clock(j.created_at)}` +
    (j.reason ? ` · “${j.reason}”` : '') + (j.rate_limit ? ` · paced at ${j.rate_limit} orders/s` : '');
  const bar = $('#job-progress');
  bar.max = Math.max(1, total);
  bar.value = total === 0 && JOB_FINAL.has(j.state) ? 1 : Math.min(finished, total);
  bar.dataset.state = j.state ?? '';
  $('#job-counts').textContent = jobCounts(j) + (j.cancels_sent ? ` · ${qty(j.cancels_sent)} risk-adding orders cancelled` : '');
  $('#job-state').textContent = j.state ?? '—';
  $('#job-updated').textContent = j.updated_at ? `updated ${clock(j.updated_at)}` : '';
  const final = JOB_FINAL.has(j.state);
  $('#job-cancel').hidden = final;
  renderJobs();
  if (final) {
    stopPolling();
  } else if (!pollTimer) {
    pollTimer = setInterval(poll, POLL_MS);
  }
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = null;
}

async function poll() {
  if (!job || JOB_FINAL.has(job.state)) {
    stopPolling();
    return;
  }
  if (Date.now() - lastEventAt < EVENT_FRESH_MS) return; // the stream is keeping up
  try {
    const j = await request('GET', `/jobs/${encodeURIComponent(job.job_id)}`);
    if (j && j.job_id !== undefined && String(j.job_id) === String(job.job_id)) track(j.job ?? j);
  } catch (err) {
    if (err.status === 401) stopPolling();
  }
}

function setReasonError(text) {
  const input = $('#bulk-reason');
  input.setAttribute('aria-invalid', text ? 'true' : 'false');
  $('#bulk-reason-error').textContent = text;
  $('#bulk-reason-error').hidden = !text;
}

async function start(e) {
  e.preventDefault();
  const product = $('#bulk-product').value;
  const segment = $('#bulk-segment').value;
  const reason = $('#bulk-reason').value.trim();
  const evidence = $('#bulk-evidence').value.trim();
  if (!reason) {
    setReasonError('Enter the reason for the bulk square-off.');
    $('#bulk-reason').focus();
    return;
  }
  let o = latest();
  try {
    o = await fetchOverview();
  } catch {
    // Use the last overview seen (or none) for the count.
  }
  const where = segment ? ` in ${segment}` : '';
  const count = positionCount(o, product, segment);
  const summary = `Square off every open ${product} position${where}` + (count.exact ? ` (${qty(count.n)} positions)` : ` (of ${qty(count.n)} open positions in all products)`);
  const body = { product, reason };
  if (segment) body.segment = segment;
  if (evidence) body.evidence_ref = evidence;
  const key = newIdempotencyKey();
  const result = await confirmDialog({
    title: 'Bulk square-off',
    body: [
      h('p', { class: 'confirm-action' }, summary),
      lines([
        'Every client, every instrument' + (segment ? ` of segment ${segment}` : '') + `, product ${product}.`,
        'Risk-adding pending orders are cancelled first; orders are paced at the exchange rate limit.',
        count.exact ? `${qty(count.n)} open positions now (the job counts its own at the start).` : `${qty(count.n)} open positions of all products now; the job counts the ${product} ones itself.`,
        `Reason: “${reason}”` + (evidence ? ` · evidence ${evidence}` : ''),
      ]),
    ],
    ok: `Start: square off all ${product}`,
    fallbackFocus: $('#bulk-start'),
    action: () => request('POST', '/bulk/square-off', { body, idempotencyKey: key }),
  });
  if (!result) return;
  const j = result.job ?? (result.job_id !== undefined ? { job_id: result.job_id, product, segment, reason, state: 'running', total: 0, sent: 0, filled: 0, rejected: 0 } : null);
  if (j) {
    lastEventAt = 0;
    track(j);
    $('#job-card').scrollIntoView({ block: 'nearest' });
    announce(`Bulk square-off started: job ${j.job_id}.`, 'success');
  }
  $('#bulk-reason').value = '';
  $('#bulk-evidence').value = '';
}

/** How many positions the job will close, from the overview: exact when it breaks them down. */
function positionCount(o, product, segment) {
  const byProduct = o?.open_positions_by_product;
  if (byProduct && typeof byProduct === 'object' && !segment && typeof byProduct[product] === 'number') {
    return { n: byProduct[product], exact: true };
  }
  return { n: Number(o?.open_positions_total) || 0, exact: false };
}

async function cancelJob(button) {
  if (!job) return;
  const id = job.job_id;
  const result = await confirmDialog({
    title: `Cancel job ${id}?`,
    body: [
      h('p', { class: 'confirm-action' }, `Stop bulk square-off job ${id}`),
      h('p', {}, `${jobCounts(job)}. No further orders are sent; orders already sent stay.`),
    ],
    ok: 'Cancel job',
    fallbackFocus: button,
    action: () => request('POST', `/jobs/${encodeURIComponent(id)}/cancel`, { body: {} }),
  });
  if (!result) return;
  if (result && typeof result === 'object' && result.job_id !== undefined) track(result.job ?? result);
  announce(`Job ${id}: cancel requested.`, 'success');
}
