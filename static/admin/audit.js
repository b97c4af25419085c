// The audit log: filters (client, staff user, type, from, to), records newest first with a
// mark for whether each one's hash chain verifies, "More" for the next page, and the CSV
// export link carrying the same filters.

import { $, h } from '../js/dom.js';
import { request, describeError } from './api.js';
import { localInputToIso } from './words.js';

const PAGE = 100;
const stamp = new Intl.DateTimeFormat('en-IN', { dateStyle: 'medium', timeStyle: 'medium' });
const when = (iso) => {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? stamp.format(d) : '—';
};
let filters = new URLSearchParams();
let nextOffset = 0;
let loaded = false;

export function initAudit() {
  const form = $('#audit-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    search();
  });
  form.addEventListener('reset', () => setTimeout(search, 0));
  form.addEventListener('input', updateCsvLink);
  $('#audit-more').addEventListener('click', () => load(false));
}

export function showAudit() {
  if (!loaded) search();
}

function readFilters() {
  const p = new URLSearchParams();
  for (const name of ['ucc', 'user', 'type']) {
    const v = $(`#audit-${name}`).value.trim();
    if (v) p.set(name, name === 'ucc' ? v.toUpperCase() : v);
  }
  for (const name of ['from', 'to']) {
    const v = localInputToIso($(`#audit-${name}`).value);
    if (v) p.set(name, v);
  }
  return p;
}

function updateCsvLink() {
  const q = readFilters().toString();
  $('#audit-csv').href = '/api/v1/admin/audit.csv' + (q ? `?${q}` : '');
}

function search() {
  filters = readFilters();
  updateCsvLink();
  $('#audit-body').replaceChildren();
  nextOffset = 0;
  load(true);
}

async function load(first) {
  const p = new URLSearchParams(filters);
  p.set('limit', String(PAGE));
  p.set('offset', String(first ? 0 : nextOffset));
  const more = $('#audit-more');
  more.disabled = true;
  try {
    const data = await request('GET', `/audit?${p}`);
    loaded = true;
    $('#audit-error').hidden = true;
    const records = Array.isArray(data?.records) ? data.records : [];
    $('#audit-body').append(...records.map(row));
    nextOffset = Number(data?.next_offset) || (first ? 0 : nextOffset) + records.length;
    more.hidden = !data?.more;
    $('#audit-empty').hidden = $('#audit-body').childElementCount > 0;
    $('#audit-table').hidden = $('#audit-body').childElementCount === 0;
  } catch (err) {
    $('#audit-error').textContent = `Audit not loaded: ${describeError(err)}`;
    $('#audit-error').hidden = false;
  } finally {
    more.disabled = false;
  }
}

function detailText(d) {
  if (d === null || d === undefined || d === '') return '';
  let obj = d;
  if (typeof d === 'string') {
    try {
      obj = JSON.parse(d);
    } catch {
      return d;
    }
  }
  if (!obj || typeof obj !== 'object') return String(obj);
  return Object.entries(obj)
    .map(([k, v]) => `${k}=${v !== null && typeof v === 'object' ? JSON.stringify(v) : v}`)
    .join(' · ');
}

function row(r) {
  const detail = detailText(r.detail);
  const chain =
    r.chain_ok === true
      ? h('span', { class: 'chain-ok', title: `hash ${r.hash ?? ''}` }, '✓ ok')
      : r.chain_ok === false
        ? h('span', { class: 'chain-bad', title: `hash ${r.hash ?? ''}; previous ${r.prev_hash ?? ''}` }, '✗ broken')
        : h('span', { class: 'muted' }, '?');
  return h(
    'tr',
    { 'data-seq': String(r.seq), 'data-type': r.type ?? '' },
    h('td', { class: 'num mono' }, String(r.seq)),
    h('td', {}, h('time', { datetime: r.ts ?? '' }, when(r.ts))),
    h('td', { class: 'mono' }, r.type ?? ''),
    h('td', {}, r.actor ?? ''),
    h('td', {}, r.ucc ?? ''),
    h('td', { class: 'mono', title: r.user_agent ?? '' }, r.ip ?? ''),
    h('td', { class: 'wrap', title: detail.length > 300 ? detail : null }, detail.length > 300 ? detail.slice(0, 300) + '…' : detail),
    h('td', { class: 'chain' }, chain),
  );
}
