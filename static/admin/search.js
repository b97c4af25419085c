// Client search as a keyboard-first combobox: typing asks GET /clients?q= (debounced);
// ArrowDown/ArrowUp move through the results, Enter opens the chosen one (the first when
// none is chosen), Escape closes the list. "/" anywhere focuses the box (admin.js).

import { $, h } from '../js/dom.js';
import { request, describeError } from './api.js';

const DEBOUNCE_MS = 200;
let timer = null;
let seq = 0; // answers to older queries are dropped
let results = [];
let active = -1;
let pick = () => {};

export function initSearch(onPick) {
  pick = onPick;
  const input = $('#client-search');
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      close();
      return;
    }
    timer = setTimeout(() => search(q), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', onKey);
  input.addEventListener('blur', () => setTimeout(close, 150)); // after a click on a result
  input.addEventListener('focus', () => {
    if (results.length && input.value.trim()) open();
  });
  $('#search-results').addEventListener('mousedown', (e) => {
    const li = e.target.closest('li[data-index]');
    if (!li) return;
    e.preventDefault(); // keep focus in the box
    choose(Number(li.dataset.index));
  });
}

async function search(q) {
  const mine = ++seq;
  let data;
  try {
    data = await request('GET', `/clients?q=${encodeURIComponent(q)}`);
  } catch (err) {
    if (mine === seq) note(describeError(err));
    return;
  }
  if (mine !== seq) return;
  results = Array.isArray(data?.clients) ? data.clients : Array.isArray(data) ? data : [];
  active = results.length ? 0 : -1;
  render();
  if (!results.length) note(`No client matches “${q}”.`);
}

function note(text) {
  results = [];
  active = -1;
  render();
  const n = $('#search-note');
  n.textContent = text;
  n.hidden = !text || document.activeElement !== $('#client-search');
}

function render() {
  const list = $('#search-results');
  $('#search-note').hidden = true;
  list.replaceChildren(
    ...results.map((c, i) =>
      h(
        'li',
        { id: `search-opt-${i}`, role: 'option', 'aria-selected': String(i === active), 'data-index': String(i), 'data-ucc': c.ucc },
        h('span', { class: 'res-ucc' }, c.ucc),
        h('span', { class: 'res-name' }, c.name ?? ''),
        h(
          'span',
          { class: 'res-meta' },
          [c.pan, c.open_positions ? `${c.open_positions} open` : null, c.pending_orders ? `${c.pending_orders} pending` : null, c.eligible === false ? 'not eligible' : null]
            .filter(Boolean)
            .join(' · '),
        ),
      ),
    ),
  );
  if (results.length && document.activeElement === $('#client-search')) open();
  else close(false);
  const input = $('#client-search');
  if (active >= 0) input.setAttribute('aria-activedescendant', `search-opt-${active}`);
  else input.removeAttribute('aria-activedescendant');
  $(`#search-opt-${active}`)?.scrollIntoView({ block: 'nearest' });
}

function open() {
  $('#search-results').hidden = false;
  $('#client-search').setAttribute('aria-expanded', 'true');
}

function close(clearNote = true) {
  $('#search-results').hidden = true;
  $('#client-search').setAttribute('aria-expanded', 'false');
  if (clearNote) $('#search-note').hidden = true;
}

function onKey(e) {
  const listOpen = !$('#search-results').hidden;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    if (!results.length) return;
    e.preventDefault();
    if (!listOpen) open();
    else active = (active + (e.key === 'ArrowDown' ? 1 : -1) + results.length) % results.length;
    render();
  } else if (e.key === 'Enter') {
    e.preventDefault();
    if (results.length) choose(active >= 0 ? active : 0);
  } else if (e.key === 'Escape') {
    if (listOpen) {
      e.preventDefault();
      close();
    } else {
      e.target.blur();
    }
  }
}

function choose(i) {
  const c = results[i];
  if (!c) return;
  close();
  $('#client-search').value = c.ucc;
  pick(c.ucc);
}
