// The account sections as ARIA tabs: click or Enter/Space selects, Left/Right/Home/End
// move between tabs (roving tabindex), the chosen tab survives a reload of this browser tab.

import { $ } from './dom.js';

const KEY = 'irra.tab';
let onSelect = () => {};

const tabs = () => Array.from(document.querySelectorAll('#tablist [role="tab"]'));

export function initTabs(selectHook) {
  onSelect = selectHook;
  const list = $('#tablist');
  list.addEventListener('click', (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) select(tab.dataset.tab);
  });
  list.addEventListener('keydown', (e) => {
    const all = tabs();
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    let next = null;
    if (e.key === 'ArrowRight') next = all[(i + 1) % all.length];
    else if (e.key === 'ArrowLeft') next = all[(i - 1 + all.length) % all.length];
    else if (e.key === 'Home') next = all[0];
    else if (e.key === 'End') next = all[all.length - 1];
    if (!next) return;
    e.preventDefault();
    select(next.dataset.tab);
    next.focus();
  });
}

export function select(name) {
  let found = false;
  for (const tab of tabs()) {
    const on = tab.dataset.tab === name;
    found ||= on;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $('#' + tab.getAttribute('aria-controls')).hidden = !on;
  }
  if (!found) return select('positions');
  try {
    sessionStorage.setItem(KEY, name);
  } catch {
    // No storage: the tab is simply not remembered.
  }
  onSelect(name);
}

export function restoreTab() {
  let name = 'positions';
  try {
    name = sessionStorage.getItem(KEY) || name;
  } catch {
    // keep the default
  }
  select(name);
}
