// The ledger browser (GET /v1/ledger): the tenant's append-only, hash-chained audit log with
// filters and cursor pagination, and a check of the hash chain (GET /v1/ledger/verify).

import { api } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, table, badge, time, emptyState, loading, field, validateForm, button, busy,
  jsonBlock, validId,
} from '../ui.js';
import { accountField } from './common.js';

const EVENT_TYPES = ['INTENT_CREATED', 'POLICY_EVALUATED', 'ACTION_APPROVED', 'ACTION_REJECTED', 'ACTION_EDITED',
  'EXECUTION_STARTED', 'ACTION_EXECUTED', 'ACTION_FAILED', 'EXECUTION_CANCELLED', 'EXECUTION_EXPIRED',
  'REPLAY_REQUESTED', 'REPLAY_STARTED', 'COST_GATE_EVALUATED', 'CONFIG_CHANGED', 'KILL_SWITCH_CHANGED',
  'BUDGET_STATE_RESET', 'AUDIT_EXPORT_REQUESTED'];
const PAGE_SIZES = [['50', '50'], ['100', '100'], ['250', '250']];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const KEYS = ['account', 'event_type', 'intent', 'trace', 'from', 'to', 'order', 'limit'];

export async function render(ctx) {
  const p = Object.fromEntries(KEYS.map((k) => [k, ctx.params.get(k) || '']));
  const messages = new Messages();
  const validDate = (label) => (v) => (DATE.test(v) ? '' : `${label} must be a date (YYYY-MM-DD).`);
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the ledger', novalidate: true },
    accountField(p.account),
    field({ label: 'Event type', name: 'event_type', type: 'select', value: p.event_type, options: [['', 'Any event'], ...EVENT_TYPES.map((e) => [e, e])] }),
    field({ label: 'Intent id', name: 'intent', value: p.intent, validate: validId('The intent id') }),
    field({ label: 'Trace id', name: 'trace', value: p.trace, validate: validId('The trace id') }),
    field({ label: 'From', name: 'from', type: 'date', value: p.from, validate: validDate('From') }),
    field({ label: 'To (inclusive)', name: 'to', type: 'date', value: p.to, validate: validDate('To') }),
    field({ label: 'Order', name: 'order', type: 'select', value: p.order || 'newest_first', options: [['newest_first', 'Newest first'], ['oldest_first', 'Oldest first']] }),
    field({ label: 'Page size', name: 'limit', type: 'select', value: p.limit || '50', options: PAGE_SIZES }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Show')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const ok = validateForm(filters, (f) => {
      const from = f.elements.namedItem('from').value;
      const to = f.elements.namedItem('to').value;
      return from && to && to < from ? [[f.elements.namedItem('to'), 'To must not be before From.']] : [];
    });
    if (!ok) return;
    ctx.setParams(Object.fromEntries(KEYS.map((k) => [k, filters.elements.namedItem(k).value.trim()])));
  });

  const verifyResult = h('div', { 'aria-live': 'polite' });
  const verify = button('Verify the hash chain', () => busy(verify, async () => {
    clear(verifyResult);
    try {
      const r = await api('GET', '/v1/ledger/verify', { query: { from: p.from, to: p.to } });
      add(verifyResult, r.ok
        ? h('p', { class: 'alert alert-success', role: 'status' }, h('strong', {}, 'The chain is intact.'), ` ${r.checked} entries recomputed; every hash matches.`)
        : h('p', { class: 'alert alert-error', role: 'alert' }, h('strong', {}, `The chain is broken at entry #${r.first_broken_seq}.`), ` ${r.reason || ''} (${r.checked} entries checked)`));
    } catch (err) {
      const m = new Messages();
      m.error(err);
      add(verifyResult, m.el);
    }
  }));
  const results = h('div', {}, loading());
  add(ctx.container,
    pageHeader('Ledger', 'Every state change, in the order it was committed. Each entry\'s hash covers the previous one, so any change to history breaks the chain.', verify),
    verifyResult, filters, messages.el, results);

  const query = {
    account_id: p.account, event_type: p.event_type, action_intent_id: p.intent, trace_id: p.trace,
    from: p.from, to: p.to, order: p.order, limit: p.limit || '50',
  };
  let page;
  try {
    page = await api('GET', '/v1/ledger', { query });
  } catch (err) {
    if (!ctx.alive()) return;
    clear(results);
    messages.error(err);
    return;
  }
  if (!ctx.alive()) return;
  clear(results);
  if (!page.items.length) {
    add(results, emptyState('No ledger entries match.'));
    return;
  }
  const rows = [...page.items];
  const holder = h('div');
  const more = h('div', { class: 'load-more' });
  add(results, holder, more);
  const draw = () => add(clear(holder), table([
    { label: 'Seq', render: (e) => String(e.seq), class: 'num' },
    { label: 'Time', render: (e) => time(e.timestamp), class: 'nowrap' },
    { label: 'Event', render: (e) => badge(e.event_type, 'info') },
    { label: 'Account', render: (e) => (e.account_id ? h('code', {}, e.account_id) : '—') },
    {
      label: 'Intent',
      render: (e) => (e.action_intent_id
        ? (e.account_id ? h('a', { href: ctx.href('explain', { intent: e.action_intent_id, account: e.account_id }), title: 'Explanation' }, h('code', { class: 'ellipsis' }, e.action_intent_id))
          : h('code', {}, e.action_intent_id))
        : '—'),
    },
    { label: 'Actor', render: (e) => e.actor },
    { label: 'Data', render: (e) => h('details', {}, h('summary', {}, 'Show'), jsonBlock(e.data)) },
    { label: 'Hash', render: (e) => h('code', { class: 'ellipsis', title: `hash ${e.hash}\nprev ${e.prev_hash}` }, e.hash.slice(0, 12)) },
  ], rows, { label: 'Ledger entries' }));
  draw();
  let cursor = page.next_cursor;
  const drawMore = () => {
    clear(more);
    if (!cursor) return;
    const btn = button('Load more entries', () => busy(btn, async () => {
      try {
        const next = await api('GET', '/v1/ledger', { query: { ...query, cursor } });
        rows.push(...next.items);
        cursor = next.next_cursor;
        draw();
        drawMore();
      } catch (err) {
        messages.error(err);
      }
    }));
    add(more, btn, h('span', { class: 'muted' }, `${rows.length} shown`));
  };
  drawMore();
}
