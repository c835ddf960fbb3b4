// Audit exports (SPEC §9): request an export of the ledger (POST /v1/autonomy/audit/exports),
// watch it until it is written, then download it through its signed link and check it against
// the SHA-256 the server computed.

import { api } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, table, badge, time, emptyState, loading, field, validateForm, card, formatBytes,
  todayIso, sameOriginHref, button,
} from '../ui.js';
import { accountField } from './common.js';

const POLL_MS = 500;
const WATCH_LIMIT_MS = 10 * 60 * 1000;
const MAX_RANGE_DAYS = 366;
const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_RANGE_DAYS = 29;
const LIST_SIZE = 20;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

function isoDaysAgo(days) {
  return new Date(Date.parse(`${todayIso()}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

export async function render(ctx) {
  const messages = new Messages();
  const watch = h('div', { 'aria-live': 'polite' });
  const listHolder = h('div', {}, loading());
  const validDate = (label) => (v) => (DATE.test(v) && !Number.isNaN(Date.parse(v)) ? '' : `${label} must be a date (YYYY-MM-DD).`);
  const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Request an export' },
    h('div', { class: 'form-grid' },
      field({ label: 'From', name: 'from', type: 'date', required: true, value: isoDaysAgo(DEFAULT_RANGE_DAYS), validate: validDate('From') }),
      field({ label: 'To (inclusive)', name: 'to', type: 'date', required: true, value: todayIso(), validate: validDate('To') }),
      field({ label: 'Format', name: 'format', type: 'select', options: [['csv', 'CSV (RFC 4180)'], ['json', 'JSON array'], ['ndjson', 'NDJSON (one entry per line)']] }),
      accountField('', { hint: 'Leave empty to export the whole tenant.' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Create export')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    messages.clear();
    const ok = validateForm(form, (f) => {
      const from = f.elements.namedItem('from');
      const to = f.elements.namedItem('to');
      if (!DATE.test(from.value) || !DATE.test(to.value)) return [];
      const span = daysBetween(from.value, to.value);
      if (span < 0) return [[to, 'To must not be before From.']];
      if (span + 1 > MAX_RANGE_DAYS) return [[to, `An export covers at most ${MAX_RANGE_DAYS} days; this range has ${span + 1}.`]];
      return [];
    });
    if (!ok) return;
    const body = {
      from: form.elements.namedItem('from').value,
      to: form.elements.namedItem('to').value,
      format: form.elements.namedItem('format').value,
    };
    const account = form.elements.namedItem('account').value.trim();
    if (account) body.account_id = account;
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      const created = await api('POST', '/v1/autonomy/audit/exports', { body });
      messages.success('Export requested.', `Export ${created.export_id} is being written; follow it below.`);
      watchExport(ctx, created.export_id, watch, () => loadList(ctx, listHolder));
    } catch (err) {
      messages.error(err);
    } finally {
      submit.disabled = false;
    }
  });

  add(ctx.container,
    pageHeader('Audit exports', 'Export the hash-chained ledger for auditors. Each file carries the chain columns, so anyone can verify it offline; the SHA-256 below identifies the exact file.'),
    card('Request an export', null, messages.el, form),
    watch,
    card('Exports', 'Newest first. Download links are signed and expire; reopen this page for a fresh link.', listHolder));
  loadList(ctx, listHolder);
}

async function loadList(ctx, holder) {
  try {
    const page = await api('GET', '/v1/autonomy/audit/exports', { query: { limit: LIST_SIZE } });
    if (!ctx.alive()) return;
    add(clear(holder), page.items.length ? table([
      { label: 'Requested', render: (e) => time(e.created_at), class: 'nowrap' },
      { label: 'Range', render: (e) => `${e.from.slice(0, 10)} → ${e.to.slice(0, 10)}`, class: 'nowrap' },
      { label: 'Account', render: (e) => (e.account_id ? h('code', {}, e.account_id) : 'all') },
      { label: 'Format', render: (e) => e.format.toUpperCase() },
      { label: 'Status', render: (e) => badge(e.status) },
      { label: 'Rows', render: (e) => (e.row_count ?? '—').toString(), class: 'num' },
      { label: 'Size', render: (e) => formatBytes(e.bytes), class: 'num nowrap' },
      { label: 'SHA-256', render: (e) => (e.sha256 ? h('code', { class: 'ellipsis', title: e.sha256 }, e.sha256) : '—') },
      { label: 'File', render: (e) => downloadLink(e) || h('span', { class: 'muted' }, e.error_message || '—') },
    ], page.items, { label: 'Audit exports' }) : emptyState('No exports yet. Request one above.'));
  } catch (err) {
    if (!ctx.alive()) return;
    const m = new Messages();
    m.error(err);
    add(clear(holder), m.el);
  }
}

function downloadLink(e) {
  if (e.status !== 'COMPLETED' || !e.presigned_url) return null;
  return h('a', {
    class: 'button button-small', href: sameOriginHref(e.presigned_url), download: '',
    'aria-label': `Download export ${e.export_id}`, 'data-export': e.export_id,
  }, 'Download');
}

// Shows one export's progress until it is COMPLETED or FAILED.
async function watchExport(ctx, id, holder, onDone) {
  const status = h('div');
  const box = card(`Export ${id}`, null, status);
  box.setAttribute('data-testid', 'export-watch');
  box.setAttribute('data-export', id);
  add(clear(holder), box);
  const deadline = Date.now() + WATCH_LIMIT_MS;
  for (;;) {
    let e;
    try {
      e = await api('GET', `/v1/autonomy/audit/exports/${encodeURIComponent(id)}`);
    } catch (err) {
      const m = new Messages();
      m.error(err);
      add(clear(status), m.el);
      return;
    }
    if (!ctx.alive()) return;
    if (e.status === 'COMPLETED') {
      add(clear(status),
        h('p', {}, badge('COMPLETED'), ` ${e.row_count} ledger entries, ${formatBytes(e.bytes)}, written `, time(e.completed_at), '.'),
        h('dl', { class: 'kv' },
          h('dt', {}, 'SHA-256 (verification hash)'), h('dd', {}, h('code', { 'data-testid': 'export-sha256' }, e.sha256)),
          h('dt', {}, 'Link expires'), h('dd', {}, time(e.expires_at))),
        h('div', { class: 'actions' }, downloadLink(e)),
        h('p', { class: 'muted small' }, 'To verify the download: ', h('code', {}, 'sha256sum FILE'),
          ' must print this hash, and ', h('code', {}, 'steward ledger verify FILE'), ' recomputes the hash chain.'));
      onDone();
      return;
    }
    if (e.status === 'FAILED') {
      const m = new Messages();
      m.show('error', 'The export failed.', e.error_message || 'The server gave no reason.');
      add(clear(status), badge('FAILED'), m.el);
      onDone();
      return;
    }
    add(clear(status),
      h('p', {}, badge(e.status), e.status === 'PENDING' ? ' Waiting for the export worker…' : ' Writing the ledger rows…'),
      h('progress', { 'aria-label': `Export ${id} in progress` }));
    if (Date.now() > deadline) {
      add(clear(status), h('p', {}, badge(e.status), ' Still not finished; it continues on the server.'), button('Check again', () => watchExport(ctx, id, holder, onDone)));
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
