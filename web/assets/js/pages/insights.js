// Insights (GET /v1/autonomy/insights): promotion evidence per action type — what was proposed,
// auto-executed, approved unchanged, edited, rejected or failed, and how many approval-routed
// intents the policy would have auto-executed — with a stacked bar chart of the outcomes.

import { api } from '../api.js';
import { h, add, clear, Messages, pageHeader, table, badge, emptyState, loading, field, validateForm, card, validInt } from '../ui.js';
import { actionTypes } from './common.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SERIES = [
  ['auto_executed', 'Auto-executed', 'auto'],
  ['approved_unchanged', 'Approved unchanged', 'unchanged'],
  ['edited', 'Edited', 'edited'],
  ['rejected', 'Rejected', 'rejected'],
  ['failed', 'Failed', 'failed'],
];
const CHART = { width: 760, label: 200, bar: 22, gap: 12, top: 8, right: 56 };
const DEFAULT_DAYS = 30;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) add(el, c);
  return el;
}

export async function render(ctx) {
  const days = ctx.params.get('days') || String(DEFAULT_DAYS);
  const type = ctx.params.get('type') || '';
  const messages = new Messages();
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Insights period', novalidate: true },
    field({ label: 'Days', name: 'days', type: 'number', value: days, required: true, attrs: { min: '1', max: '90' }, validate: validInt('Days', 1, 90) }),
    field({ label: 'Action type', name: 'type', type: 'select', value: type, options: [['', 'Every type']] }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Show')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!validateForm(filters)) return;
    ctx.setParams({ days: filters.elements.namedItem('days').value.trim(), type: filters.elements.namedItem('type').value });
  });
  actionTypes().then((types) => {
    const select = filters.elements.namedItem('type');
    for (const t of types) add(select, h('option', { value: t.action_type, selected: t.action_type === type }, t.action_type));
  }).catch(() => {});
  const body = h('div', {}, loading());
  add(ctx.container,
    pageHeader('Insights', 'Shadow evidence for widening autonomy: how people treated what the gate sent them, and how much of it the policy would have run on its own under AUTO_EXECUTE.'),
    filters, messages.el, body);

  let data;
  try {
    data = await api('GET', '/v1/autonomy/insights', { query: { days, action_type: type } });
  } catch (err) {
    if (!ctx.alive()) return;
    clear(body);
    messages.error(err);
    return;
  }
  if (!ctx.alive()) return;
  clear(body);
  const t = data.totals;
  const tile = (value, label) => h('div', { class: 'tile' }, h('span', { class: 'tile-value' }, String(value)), h('span', { class: 'tile-label' }, label));
  add(body, h('div', { class: 'tiles' },
    tile(t.proposed, 'proposed'), tile(t.auto_executed, 'auto-executed'), tile(t.approved_unchanged, 'approved unchanged'),
    tile(t.edited, 'edited'), tile(t.rejected, 'rejected'), tile(t.failed, 'failed'),
    tile(`${t.would_auto_execute} / ${t.approval_routed}`, 'sent to people that policy would have run')));
  if (!data.items.length) {
    add(body, emptyState(`No intents in the last ${data.days} days.`));
    return;
  }
  add(body, card('Outcomes per action type', `The last ${data.days} days, all accounts.`, chart(byType(data.items))));
  add(body, card('Per action type and account', null, table([
    {
      label: 'Action type',
      render: (i) => [i.action_type, i.recommendation ? h('div', { class: 'small' },
        badge(i.recommendation.code, i.recommendation.code === 'CONSIDER_AUTO_EXECUTE' ? 'ok' : 'warn'), ' ', i.recommendation.text) : null],
    },
    { label: 'Account', render: (i) => h('code', {}, i.account_id) },
    { label: 'Proposed', render: (i) => String(i.proposed), class: 'num' },
    { label: 'Auto', render: (i) => String(i.auto_executed), class: 'num' },
    { label: 'Unchanged', render: (i) => String(i.approved_unchanged), class: 'num' },
    { label: 'Edited', render: (i) => String(i.edited), class: 'num' },
    { label: 'Rejected', render: (i) => String(i.rejected), class: 'num' },
    { label: 'Failed', render: (i) => String(i.failed), class: 'num' },
    { label: 'Policy would run', render: (i) => `${i.would_auto_execute} of ${i.approval_routed}`, class: 'num' },
  ], data.items, { label: 'Insights per action type and account' })));
}

function byType(items) {
  const map = new Map();
  for (const i of items) {
    const sum = map.get(i.action_type) || Object.fromEntries(SERIES.map(([k]) => [k, 0]));
    for (const [k] of SERIES) sum[k] += i[k];
    map.set(i.action_type, sum);
  }
  return [...map.entries()];
}

// A horizontal stacked bar per action type. The table below carries the same numbers for
// screen readers; the chart is labelled as an image with a text summary.
function chart(rows) {
  const max = Math.max(1, ...rows.map(([, s]) => SERIES.reduce((a, [k]) => a + s[k], 0)));
  const plot = CHART.width - CHART.label - CHART.right;
  const height = CHART.top * 2 + rows.length * (CHART.bar + CHART.gap);
  const summary = rows.map(([type, s]) => `${type}: ${SERIES.map(([k, label]) => `${s[k]} ${label.toLowerCase()}`).join(', ')}`).join('; ');
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${CHART.width} ${height}`, role: 'img', 'aria-label': `Outcomes per action type. ${summary}` });
  rows.forEach(([type, s], row) => {
    const y = CHART.top + row * (CHART.bar + CHART.gap);
    add(root, svg('text', { x: CHART.label - 8, y: y + CHART.bar / 2 + 4, 'text-anchor': 'end' }, type));
    let x = CHART.label;
    let total = 0;
    for (const [k, label, cls] of SERIES) {
      if (!s[k]) continue;
      const w = (s[k] / max) * plot;
      add(root, svg('rect', { x, y, width: Math.max(w, 1), height: CHART.bar, class: `bar-${cls}` }, svg('title', {}, `${type}: ${s[k]} ${label.toLowerCase()}`)));
      x += w;
      total += s[k];
    }
    add(root, svg('text', { x: x + 6, y: y + CHART.bar / 2 + 4 }, String(total)));
  });
  add(root, svg('line', { x1: CHART.label, x2: CHART.label, y1: 0, y2: height, class: 'axis' }));
  const legend = h('ul', { class: 'legend', 'aria-hidden': 'true' }, SERIES.map(([, label, cls]) => h('li', {}, h('span', { class: `swatch swatch-${cls}` }), label)));
  return [root, legend];
}
