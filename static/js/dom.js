// Small DOM helpers. Everything is built with createElement and textContent, never
// innerHTML, so data from the server can never become markup; and no style attributes,
// which the Content-Security-Policy forbids: looks come from classes in app.css.

/** h('button', {class: 'btn', onclick: fn, 'aria-label': 'x'}, 'text', childNode, ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      el.className = value;
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (name === 'text') {
      el.textContent = value;
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

let clearTimer = null;

/**
 * Says a message to screen-reader users through the polite live region, which is also the
 * visible status bar at the bottom of the screen. `tone` is 'info' | 'success' | 'error';
 * success and info messages fade after a while, errors stay until dismissed. The region
 * is never display:none, so screen readers keep listening to it.
 */
export function announce(message, tone = 'info') {
  const bar = $('#status-bar');
  const text = $('#status-text');
  if (!bar || !text) return;
  clearTimeout(clearTimer);
  text.textContent = '';
  bar.dataset.tone = tone;
  bar.classList.toggle('is-empty', !message);
  document.body.classList.toggle('has-status', Boolean(message));
  const close = $('#status-close');
  if (close) close.hidden = !message; // no invisible tab stop
  if (!message) return;
  // A fresh text node after a tick makes screen readers repeat an identical message.
  requestAnimationFrame(() => {
    text.textContent = message;
  });
  if (tone !== 'error') clearTimer = setTimeout(() => announce(''), 20000);
}

/**
 * Shows one top-level screen, hides the others and moves focus to its heading, so a
 * keyboard or screen-reader user lands on the new content.
 */
export function showScreen(id, { focus = true } = {}) {
  for (const s of document.querySelectorAll('[data-screen]')) s.hidden = s.id !== id;
  document.body.dataset.current = id;
  if (!focus) return;
  const target = document.getElementById(id)?.querySelector('h1, h2');
  if (target) {
    target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: false });
  }
}

/**
 * Keeps `container`'s children in step with `items` without rebuilding unchanged rows:
 * a row is rebuilt only when its data changed, and then gets the "changed" class for a
 * brief highlight. Focus inside a rebuilt row goes back to the element with the same
 * data-focus-id, so a live update never throws the keyboard user out of the table.
 */
export function syncList(container, items, keyOf, render) {
  const existing = new Map();
  for (const child of Array.from(container.children)) {
    if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  }
  const active = document.activeElement;
  let refocus = null;
  let cursor = container.firstElementChild;
  // Skip anything that is not a keyed row (e.g. a template) at the start.
  while (cursor && cursor.dataset.key === undefined) cursor = cursor.nextElementSibling;

  for (const item of items) {
    const key = keyOf(item);
    const sig = JSON.stringify(item);
    let node = existing.get(key);
    if (node) existing.delete(key);
    if (!node || node.dataset.sig !== sig) {
      const fresh = render(item);
      fresh.dataset.key = key;
      fresh.dataset.sig = sig;
      if (node) {
        fresh.classList.add('changed');
        if (active && node.contains(active)) refocus = { node: fresh, id: active.dataset.focusId };
        node.replaceWith(fresh);
        if (cursor === node) cursor = fresh;
      }
      node = fresh;
    }
    if (node !== cursor) container.insertBefore(node, cursor);
    else cursor = cursor.nextElementSibling;
  }
  for (const stale of existing.values()) stale.remove();
  if (refocus) {
    const target = refocus.id
      ? refocus.node.querySelector(`[data-focus-id="${CSS.escape(refocus.id)}"]`)
      : null;
    (target || refocus.node).focus?.();
  }
}
