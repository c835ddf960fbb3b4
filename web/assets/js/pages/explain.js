// "Why did the system do this?" for one intent (GET /v1/autonomy/ledger/explanation): the path
// it took, what the gate knew, the policy clause, the counterfactual (what would have changed
// the result) and the intent's ledger timeline.

import { api } from '../api.js';
import {
  h, add, Messages, pageHeader, badge, time, kv, valueView, jsonBlock, card, loading, clear, humanize, emptyState,
} from '../ui.js';
import { outcomeResult } from './common.js';

export async function render(ctx) {
  const intent = ctx.params.get('intent') || '';
  const account = ctx.params.get('account') || '';
  const messages = new Messages();
  const body = h('div', {}, loading());
  add(ctx.container,
    pageHeader('Explanation', 'Why the system did what it did with one intent, read back from what was recorded when it decided.',
      h('a', { class: 'button', href: ctx.href('timeline', { account }) }, '← Back to the timeline')),
    messages.el, body);
  if (!intent || !account) {
    clear(body);
    messages.show('warn', 'No intent chosen.', 'Open an explanation from the timeline, the inbox or the ledger.');
    return;
  }
  let ex;
  try {
    ex = await api('GET', '/v1/autonomy/ledger/explanation', { query: { action_intent_id: intent, account_id: account } });
  } catch (err) {
    if (!ctx.alive()) return;
    clear(body);
    messages.error(err);
    return;
  }
  if (!ctx.alive()) return;
  clear(body);
  add(body,
    summaryCard(ex),
    h('div', { class: 'grid-2' }, whyCard(ex), policyCard(ex)),
    counterfactualCard(ex),
    knewCard(ex),
    outcomeCard(ex),
    timelineCard(ex));
}

function summaryCard(ex) {
  return h('section', { class: 'card', 'aria-label': 'Summary' },
    h('div', { class: 'card-header' },
      h('h2', {}, `${ex.action_type} for ${ex.account_id}`),
      badge(ex.status)),
    h('p', { class: 'lead', 'data-testid': 'path-explanation' }, badge(ex.why.path), ' ', ex.why.path_explanation),
    kv([['Intent', h('code', {}, ex.action_intent_id)]]));
}

function whyCard(ex) {
  const w = ex.why;
  const gate = w.gate || {};
  return card('Why', null, kv([
    ['Gate result', gate.result ? badge(gate.result) : h('span', { class: 'muted' }, 'not gated')],
    gate.reason ? ['Reason', h('code', {}, gate.reason)] : null,
    gate.explanation ? ['Gate said', gate.explanation] : null,
    ['Approval', w.approval_source ? `${w.approval_source === 'POLICY' ? 'by policy' : 'by a person'}${w.approved_by ? ` (${w.approved_by})` : ''}` : '—'],
    w.approved_at ? ['Approved at', time(w.approved_at)] : null,
    w.edited_fields && w.edited_fields.length ? ['Edited fields', w.edited_fields.join(', ')] : null,
    w.comment ? ['Comment', w.comment] : null,
    w.rejection_reason ? ['Rejected because', `${w.rejection_reason}${w.rejected_by ? ` (${w.rejected_by})` : ''}`] : null,
    w.execution_status ? ['Execution', badge(w.execution_status)] : null,
  ]));
}

function policyCard(ex) {
  const p = ex.which_policy || {};
  return card('Which policy', null, kv([
    ['Policy version', p.policy_version || '—'],
    ['Clause', p.policy_clause ? h('code', {}, p.policy_clause) : '—'],
    ['Policy decision', p.policy_decision ? badge(p.policy_decision) : '—'],
  ]));
}

function counterfactualCard(ex) {
  const cf = ex.counterfactual || {};
  const section = card('What would have changed the result', cf.explanation || null);
  section.setAttribute('data-testid', 'counterfactual');
  if (!cf.available) {
    add(section, h('p', { class: 'muted' }, 'No counterfactual: the gate did not evaluate this intent.'));
    return section;
  }
  add(section, h('p', {}, 'Recorded result ', badge(cf.recorded_result || '—'),
    cf.replay_matches === false ? [' — recomputing it now gives ', badge(cf.replayed_result || '—'), ' (the policy changed since)'] : null));
  const items = cf.items || [];
  if (!items.length) {
    add(section, h('p', { class: 'muted' }, 'Nothing the tenant controls would have changed the result.'));
    return section;
  }
  add(section, h('ul', { class: 'counterfactual-list' }, items.map((item) => h('li', {},
    badge(item.would_result), ' ', item.explanation,
    item.tenant_can_change ? null : h('span', { class: 'muted' }, ' (not something the tenant can change)'),
    h('details', {}, h('summary', {}, `Input: ${humanize(item.change.input)}`),
      kv([['Recorded', valueView(item.change.recorded)], ['Instead', valueView(item.change.counterfactual)]]))))));
  return section;
}

function knewCard(ex) {
  const k = ex.what_it_knew || {};
  return card('What it knew', k.evaluated_at ? `As evaluated at ${new Date(k.evaluated_at).toLocaleString()}.` : null,
    kv([
      ['Confidence', k.confidence_score ?? '—'],
      ['Confidence threshold', valueView(k.confidence_threshold)],
      ['Risk (intent / registry / effective)', `${k.risk_level || '—'} / ${k.registry_risk_class || '—'} / ${k.effective_risk || '—'}`],
      ['External contact', valueView(k.external_contact)],
      ['Mode', valueView(k.mode)],
      ['Allowlist', valueView(k.allowlist)],
      ['Budget', valueView(k.budget)],
      ['Kill switches', valueView(k.kill_switches)],
      ['Parameters', jsonBlock(k.parameters || {})],
      k.original_parameters ? ['Parameters before editing', jsonBlock(k.original_parameters)] : null,
    ]));
}

function outcomeCard(ex) {
  const o = ex.outcome;
  if (!o) return card('Outcome', null, h('p', { class: 'muted' }, 'Not executed (yet).'));
  return card('Outcome', null, kv([
    ['Status', badge(o.status)],
    ['Result', outcomeResult(o)],
    ['Taxonomy', o.taxonomy],
    ['Tool', `${o.tool_name} (schema ${o.tool_schema_version})`],
    ['Attempts', String(o.attempt_count)],
    ['Completed', time(o.completed_at)],
  ]));
}

function timelineCard(ex) {
  const entries = ex.timeline || [];
  if (!entries.length) return card('Ledger timeline', null, emptyState('No ledger entries.'));
  return card('Ledger timeline', 'Every ledger entry of this intent, in order.',
    h('ol', { class: 'timeline-list' }, entries.map((e) => h('li', {},
      h('div', { class: 'timeline-head' }, h('strong', {}, e.event_type), time(e.timestamp),
        h('span', { class: 'muted' }, `#${e.seq} · ${e.actor}`)),
      h('details', {}, h('summary', {}, 'Data'), jsonBlock(e.data))))));
}
