// The autopilot timeline: what was executed, per account, newest first, with the outcome and a
// link to the explanation ("why did the system do this?"). Reads GET /v1/executions and, for one
// account, today's digest (GET /v1/autonomy/digest).

import { api } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, table, badge, time, emptyState, loading, validateForm, field, button, busy, card,
} from '../ui.js';
import { accountField, outcomeResult, sourceBadge } from './common.js';

const PAGE_SIZE = 50;
const OUTCOMES = [['', 'Any outcome'], ['SUCCEEDED', 'Succeeded'], ['FAILED', 'Failed'], ['CANCELLED', 'Cancelled'], ['EXPIRED', 'Expired']];
const WHO = [['auto', 'Autopilot only'], ['human', 'Approved by people'], ['all', 'All executions']];

export async function render(ctx) {
  const account = ctx.params.get('account') || '';
  const who = ctx.params.get('who') || 'auto';
  const status = ctx.params.get('status') || '';
  const messages = new Messages();

  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the timeline', novalidate: true },
    accountField(account),
    field({ label: 'Executed by', name: 'who', type: 'select', value: who, options: WHO }),
    field({ label: 'Outcome', name: 'status', type: 'select', value: status, options: OUTCOMES }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Show')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!validateForm(filters)) return;
    ctx.setParams({
      account: filters.elements.namedItem('account').value.trim(),
      who: filters.elements.namedItem('who').value,
      status: filters.elements.namedItem('status').value,
    });
  });

  const refresh = button('Refresh', () => ctx.setParams({ account, who, status }));
  const summary = h('div');
  const results = h('div', {}, loading());
  add(ctx.container,
    pageHeader('Autopilot timeline', 'What the autopilot did: every execution the gate approved on its own, with its outcome and why it happened. Choose "All executions" to include what people approved.', refresh),
    filters, messages.el, summary, results);

  if (account) renderDigest(ctx, account, summary);

  const query = { account_id: account, status, limit: PAGE_SIZE };
  if (who === 'auto') query.auto_executed = 'true';
  if (who === 'human') query.auto_executed = 'false';
  let page;
  try {
    page = await api('GET', '/v1/executions', { query });
  } catch (err) {
    if (!ctx.alive()) return;
    clear(results);
    messages.error(err);
    return;
  }
  if (!ctx.alive()) return;
  clear(results);
  if (!page.items.length) {
    const scope = account ? ` for account ${account}` : '';
    add(results, emptyState(who === 'auto'
      ? `The autopilot has not executed anything yet${scope}. Intents that the gate auto-executes appear here once they have run.`
      : `No executions yet${scope}.`));
    return;
  }
  const rows = [...page.items];
  const tableHolder = h('div');
  const more = h('div', { class: 'load-more' });
  add(results, tableHolder, more);
  const draw = () => {
    add(clear(tableHolder), table(columns(ctx), rows, { label: 'Executions, newest first' }));
  };
  draw();
  let cursor = page.next_cursor;
  const drawMore = () => {
    clear(more);
    if (!cursor) return;
    const btn = button('Load older executions', () => busy(btn, async () => {
      try {
        const next = await api('GET', '/v1/executions', { query: { ...query, cursor } });
        rows.push(...next.items);
        cursor = next.next_cursor;
        draw();
        drawMore();
      } catch (err) {
        messages.error(err);
      }
    }));
    add(more, btn);
  };
  drawMore();
}

function columns(ctx) {
  return [
    { label: 'Completed', render: (o) => time(o.completed_at), class: 'nowrap' },
    { label: 'Account', render: (o) => h('code', {}, o.account_id) },
    { label: 'Action', render: (o) => o.action_type },
    { label: 'Outcome', render: (o) => badge(o.status) },
    { label: 'Approved by', render: (o) => sourceBadge(o) },
    { label: 'Result', render: (o) => outcomeResult(o) },
    {
      label: 'Why',
      render: (o) => h('a', {
        href: ctx.href('explain', { intent: o.action_intent_id, account: o.account_id }),
        title: `Intent ${o.action_intent_id}`,
        'aria-label': `Explanation of ${o.action_type} ${o.action_intent_id}`,
        'data-intent': o.action_intent_id,
      }, 'Explanation'),
    },
  ];
}

async function renderDigest(ctx, account, holder) {
  let digest;
  try {
    digest = await api('GET', '/v1/autonomy/digest', { query: { account_id: account } });
  } catch (err) {
    if (!ctx.alive()) return;
    const m = new Messages();
    m.error(err);
    add(holder, m.el);
    return;
  }
  if (!ctx.alive()) return;
  const c = digest.counts;
  const budget = digest.budget;
  const tile = (value, label) => h('div', { class: 'tile' }, h('span', { class: 'tile-value' }, String(value)), h('span', { class: 'tile-label' }, label));
  const budgetText = budget.configured ? `${budget.used} / ${budget.limit}` : 'not set';
  const ks = digest.kill_switches;
  const stopped = ks.emergency_stop || !ks.autonomy_enabled || !ks.execution_enabled;
  add(holder, card(`Today for ${account} (${digest.date}, ${digest.timezone})`, null,
    stopped ? h('p', {}, badge('Autopilot stopped', 'bad'), ' A kill switch is on: the gate auto-executes nothing.') : null,
    h('div', { class: 'tiles' },
      tile(c.auto_executed, 'auto-executed'),
      tile(c.awaiting_approval, 'awaiting approval'),
      tile(c.blocked, 'blocked'),
      tile(c.failed, 'failed'),
      tile(budgetText, 'autonomy budget used'))));
}
