// DOM helpers shared by the pages. Everything is built with createElement and textContent, never
// from HTML strings, so nothing the API returns can inject markup.

import { describeError } from './api.js';

// h('div', {class: 'x', onclick: fn, 'aria-label': '…'}, child, …): an element. Children may be
// strings, numbers, nodes, arrays, or null/undefined/false (skipped).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected' || key === 'disabled' || key === 'hidden' ||
             key === 'required' || key === 'multiple' || key === 'open') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

// Appends `children` to `el` like h() does: arrays are flattened and null, undefined and false
// skipped (the DOM's own append would print them as text). Returns `el`.
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let idCounter = 0;
export function uid(prefix = 'f') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// --- Text formatting ---------------------------------------------------------------------

export function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const sameYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, {
    year: sameYear ? undefined : 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

export function time(iso) {
  return h('time', { datetime: iso || '', title: iso || '' }, formatTime(iso));
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

// "CREATE_INTERNAL_TASK" → "Create internal task"
export function humanize(code) {
  if (!code) return '';
  const s = String(code).toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// Today's date in UTC (YYYY-MM-DD): the API's dates are UTC days unless a time zone is named.
export function todayIso() {
  return new Date().toISOString().slice(0, 10);
}

// --- Badges ---------------------------------------------------------------------------------

const TONES = {
  ok: ['SUCCEEDED', 'AUTO_EXECUTED', 'AUTO_EXECUTE', 'COMPLETED', 'ALLOW', 'CLOSED', 'APPROVED',
    'POLICY_AUTO_EXECUTED', 'HUMAN_APPROVED', 'EXECUTED', 'ON', 'ENABLED', 'INTACT'],
  bad: ['FAILED', 'BLOCKED', 'REJECTED', 'OPEN', 'DISABLED', 'SKIP', 'STOPPED', 'BROKEN', 'KILL_SWITCH', 'OFF'],
  warn: ['AWAITING_APPROVAL', 'REQUIRE_APPROVAL', 'APPROVAL_REQUIRED', 'PENDING', 'RUNNING', 'EXECUTING',
    'HALF_OPEN', 'DEFER', 'CANCELLED', 'EXPIRED', 'HUMAN_EDITED', 'PROPOSE_ONLY', 'REQUIRES_APPROVAL',
    'BUDGET_DENIED'],
};

export function toneOf(value) {
  const v = String(value || '').toUpperCase();
  for (const [tone, list] of Object.entries(TONES)) if (list.includes(v)) return tone;
  return 'info';
}

export function badge(text, tone = toneOf(text)) {
  return h('span', { class: `badge badge-${tone}` }, text);
}

// --- Messages -------------------------------------------------------------------------------

// A region for a page's or a section's messages. Errors are announced (role=alert).
export class Messages {
  constructor() {
    this.el = h('div', { class: 'messages', 'aria-live': 'polite' });
  }

  clear() {
    clear(this.el);
  }

  error(err) {
    const { title, detail } = describeError(err);
    this.show('error', title, detail);
  }

  success(title, detail) {
    this.show('success', title, detail);
  }

  info(title, detail) {
    this.show('info', title, detail);
  }

  show(kind, title, detail) {
    clear(this.el);
    const box = h('div', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      h('strong', {}, title), detail ? h('p', {}, detail) : null);
    this.el.appendChild(box);
  }
}

export function emptyState(text) {
  return h('p', { class: 'empty' }, text);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

// --- Layout ---------------------------------------------------------------------------------

export function pageHeader(title, intro, ...actions) {
  return h('div', { class: 'page-header' },
    h('div', {}, h('h1', { tabindex: '-1' }, title), intro ? h('p', {}, intro) : null),
    actions.length ? h('div', { class: 'actions' }, actions) : null);
}

export function card(title, intro, ...children) {
  const headingId = uid('card');
  return h('section', { class: 'card', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    intro ? h('p', { class: 'card-intro' }, intro) : null,
    children);
}

// A table. columns: [{label, render(row) → node|string, class?}]. Wrapped so that it scrolls
// sideways on a narrow window instead of breaking the page.
export function table(columns, rows, { caption, label } = {}) {
  const wrap = h('div', { class: 'table-wrap', role: 'region', 'aria-label': label || caption || 'table', tabindex: '0' });
  const t = h('table', {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.render(row)))))));
  wrap.appendChild(t);
  return wrap;
}

// Any JSON value as readable nodes: objects become nested definition lists.
export function valueView(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return h('span', { class: 'muted' }, 'none');
    if (value.every((v) => v === null || typeof v !== 'object')) return value.join(', ');
    return h('pre', {}, JSON.stringify(value, null, 2));
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return h('span', { class: 'muted' }, 'none');
  return kv(entries.map(([k, v]) => [humanize(k), valueView(v)]));
}

// pairs: [[label, node|string], …] → <dl class="kv">
export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function jsonBlock(value) {
  return h('pre', {}, JSON.stringify(value, null, 2));
}

// --- Forms and validation -------------------------------------------------------------------

// Identifiers as the API accepts them (SPEC §4).
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

// A labelled control with a hint and an error line, wired for assistive technology.
// opts: {label, name, type ('text'|'number'|'date'|'select'|'textarea'|'checkbox'|…), value,
// required, hint, options: [[value, label]…], attrs: {…}, validate(value, form) → message|''}
export function field(opts) {
  const id = uid(opts.name || 'field');
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [opts.hint ? hintId : null, errorId].filter(Boolean).join(' ');
  const common = { id, name: opts.name, 'aria-describedby': describedBy, ...(opts.attrs || {}) };
  let control;
  if (opts.type === 'select') {
    control = h('select', common, (opts.options || []).map(([v, l]) =>
      h('option', { value: v, selected: String(v) === String(opts.value ?? '') }, l)));
  } else if (opts.type === 'textarea') {
    control = h('textarea', { ...common, rows: opts.rows || 6, spellcheck: 'false' });
    control.value = opts.value ?? '';
  } else if (opts.type === 'checkbox') {
    control = h('input', { ...common, type: 'checkbox', checked: Boolean(opts.value) });
  } else {
    control = h('input', { ...common, type: opts.type || 'text', value: opts.value ?? '', autocomplete: 'off' });
  }
  if (opts.required) control.setAttribute('aria-required', 'true');
  control.stewardValidate = (form) => {
    const value = control.type === 'checkbox' ? control.checked : control.value.trim();
    if (opts.required && (value === '' || value === null)) return `${opts.label} is required.`;
    if (opts.validate && value !== '') return opts.validate(value, form) || '';
    return '';
  };
  const error = h('span', { class: 'error-text', id: errorId });
  control.stewardError = error;
  if (opts.type === 'checkbox') {
    return h('div', { class: `field ${opts.wide ? 'field-wide' : ''}` },
      h('label', { class: 'check', for: id }, control, opts.label),
      opts.hint ? h('span', { class: 'hint', id: hintId }, opts.hint) : null, error);
  }
  return h('div', { class: `field ${opts.wide ? 'field-wide' : ''}` },
    h('label', { for: id }, opts.label, opts.required ? h('span', { 'aria-hidden': 'true' }, ' *') : null),
    control,
    opts.hint ? h('span', { class: 'hint', id: hintId }, opts.hint) : null,
    error);
}

// Runs every control's validation in `form`; marks the invalid ones and focuses the first.
// `extra(form)` may return [[control, message], …] for checks across fields. True when valid.
export function validateForm(form, extra) {
  let first = null;
  const problems = [];
  for (const control of form.querySelectorAll('input, select, textarea')) {
    if (!control.stewardValidate) continue;
    problems.push([control, control.stewardValidate(form)]);
  }
  if (extra) for (const p of extra(form) || []) problems.push(p);
  const byControl = new Map();
  for (const [control, message] of problems) {
    if (message && !byControl.get(control)) byControl.set(control, message);
    else if (!byControl.has(control)) byControl.set(control, '');
  }
  for (const [control, message] of byControl) {
    if (control.stewardError) control.stewardError.textContent = message;
    if (message) {
      control.setAttribute('aria-invalid', 'true');
      if (!first) first = control;
    } else {
      control.removeAttribute('aria-invalid');
    }
  }
  if (first) first.focus();
  return !first;
}

export function control(form, name) {
  return form.elements.namedItem(name);
}

export function validId(label) {
  return (v) => (ID_PATTERN.test(v) ? '' : `${label} may hold letters, digits and . _ : @ - (up to 128, starting with a letter or digit).`);
}

export function validInt(label, min, max) {
  return (v) => {
    if (!/^-?\d+$/.test(v)) return `${label} must be a whole number.`;
    const n = Number(v);
    if (min !== undefined && n < min) return `${label} must be at least ${min}.`;
    if (max !== undefined && n > max) return `${label} must be at most ${max}.`;
    return '';
  };
}

export function validTimezone(v) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
    return '';
  } catch {
    return `“${v}” is not an IANA time zone (for example Europe/Berlin or UTC).`;
  }
}

export function button(label, onclick, { kind = '', small = false, type = 'button', attrs = {} } = {}) {
  return h('button', {
    type, class: `button ${kind ? `button-${kind}` : ''} ${small ? 'button-small' : ''}`.trim(), onclick, ...attrs,
  }, label);
}

// Disables `btn` while `fn` runs, so a double click never sends twice.
export async function busy(btn, fn) {
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
  }
}

// Asks the person to confirm, in the page's modal <dialog>. Resolves true on confirmation.
export function confirmDialog({ title, body, confirmLabel = 'Confirm', danger = false }) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-body').textContent = body;
  const ok = document.getElementById('confirm-ok');
  ok.textContent = confirmLabel;
  ok.className = `button ${danger ? 'button-danger' : 'button-primary'}`;
  const opener = document.activeElement;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      if (opener && opener.focus) opener.focus();
      resolve(dialog.returnValue === 'confirm');
    }, { once: true });
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

// A same-origin path for a server-made absolute link (presigned downloads carry the server's
// configured base URL; the page always talks to the origin it came from).
export function sameOriginHref(absolute) {
  const url = new URL(absolute, window.location.origin);
  return url.pathname + url.search;
}
