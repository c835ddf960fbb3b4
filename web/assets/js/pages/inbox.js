// The approval inbox (GET /v1/inbox): intents waiting for a person. Approvers approve, edit the
// parameters and approve, or reject with a reason (POST /v1/intents/{id}/approve|reject); after
// an approval the card follows the execution until it has an outcome.

import { api, ApiError } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, badge, time, emptyState, loading, field, validateForm, button, busy, kv, jsonBlock,
} from '../ui.js';
import { actionTypes, accountField } from './common.js';

const PAGE_SIZE = 50;
const EXECUTION_POLL_MS = 400;
const EXECUTION_WAIT_MS = 20000;
const MAX_REASON = 1000;

export async function render(ctx) {
  const account = ctx.params.get('account') || '';
  const type = ctx.params.get('type') || '';
  const messages = new Messages();
  const typeField = field({ label: 'Action type', name: 'type', type: 'select', value: type, options: [['', 'Any type']] });
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the inbox', novalidate: true },
    accountField(account), typeField,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Show')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!validateForm(filters)) return;
    ctx.setParams({ account: filters.elements.namedItem('account').value.trim(), type: filters.elements.namedItem('type').value });
  });
  const list = h('div', {}, loading());
  const readOnly = !ctx.can('approver');
  add(ctx.container,
    pageHeader('Approval inbox', 'Intents the gate routed to a person. Approve them as they are, edit their parameters and approve, or reject them with a reason.',
      button('Refresh', () => ctx.setParams({ account, type }))),
    readOnly ? h('p', { class: 'alert alert-info', role: 'status' }, 'You can read the inbox; approving or rejecting needs the approver role.') : null,
    filters, messages.el, list);

  actionTypes().then((types) => {
    const select = filters.elements.namedItem('type');
    for (const t of types) add(select, h('option', { value: t.action_type, selected: t.action_type === type }, t.action_type));
  }).catch(() => {});

  let page;
  try {
    page = await api('GET', '/v1/inbox', { query: { account_id: account, action_type: type, limit: PAGE_SIZE } });
  } catch (err) {
    if (!ctx.alive()) return;
    clear(list);
    messages.error(err);
    return;
  }
  if (!ctx.alive()) return;
  clear(list);
  if (!page.items.length) {
    add(list, emptyState('Nothing is waiting for approval. Intents that the gate routes to a person appear here.'));
    return;
  }
  add(list, h('p', { class: 'muted' }, `${page.items.length}${page.next_cursor ? '+' : ''} waiting, newest first.`));
  for (const intent of page.items) add(list, intentCard(ctx, intent, readOnly));
}

function intentCard(ctx, intent, readOnly) {
  const messages = new Messages();
  const headingId = `intent-${intent.action_intent_id}`;
  const gate = intent.gate || {};
  const result = h('div', { class: 'result-line' });
  const actions = h('div', { class: 'actions' });
  const editForm = editApproveForm(intent, messages, (body) => submit('approve', body));
  const rejectForm = rejectFormFor(intent, messages, (body) => submit('reject', body));
  const article = h('article', { class: 'card intent-card', 'aria-labelledby': headingId, 'data-intent': intent.action_intent_id },
    h('div', { class: 'card-header' },
      h('h2', { id: headingId }, `${intent.action_type} · ${intent.account_id}`),
      badge(intent.status)),
    h('div', { class: 'intent-meta' },
      h('span', {}, 'Intent ', h('code', {}, intent.action_intent_id)),
      h('span', {}, 'Proposed by ', intent.created_by, ' ', time(intent.created_at)),
      intent.expires_at ? h('span', {}, 'Expires ', time(intent.expires_at)) : null,
      h('span', {}, `Confidence ${intent.confidence_score ?? '—'}`),
      intent.risk_level ? h('span', {}, `Risk ${intent.risk_level}`) : null),
    h('p', { class: 'intent-reason' }, gate.reason ? [badge(gate.reason, 'warn'), ' '] : null, gate.explanation || ''),
    kv([['Parameters', jsonBlock(intent.parameters)],
      Object.keys(intent.target || {}).length ? ['Target', jsonBlock(intent.target)] : null]),
    h('p', { class: 'small' }, h('a', { href: ctx.href('explain', { intent: intent.action_intent_id, account: intent.account_id }) }, 'Why is this waiting? (explanation)')),
    messages.el, result, actions, editForm, rejectForm);

  const done = (text, tone) => {
    clear(actions);
    editForm.hidden = true;
    rejectForm.hidden = true;
    add(clear(result), badge(text, tone));
  };

  async function submit(kind, body) {
    messages.clear();
    try {
      const updated = await api('POST', `/v1/intents/${encodeURIComponent(intent.action_intent_id)}/${kind}`, { body });
      if (kind === 'reject') {
        done('REJECTED', 'bad');
        messages.success('Rejected.', `The intent will not run. Reason recorded: “${body.reason}”.`);
        return true;
      }
      done(updated.status, 'ok');
      messages.success(body.parameters ? 'Edited and approved.' : 'Approved.', 'It is executing now; the result appears here.');
      followExecution(intent, result, messages);
      return true;
    } catch (err) {
      messages.error(err);
      // 409: somebody else approved, rejected or cancelled it first; nothing is left to do here.
      if (err instanceof ApiError && err.status === 409) done('Not pending any more', 'warn');
      return false;
    }
  }

  if (!readOnly) {
    const approve = button('Approve', () => busy(approve, () => submit('approve', { account_id: intent.account_id })), { kind: 'primary' });
    const edit = button('Edit and approve…', () => {
      rejectForm.hidden = true;
      editForm.hidden = !editForm.hidden;
      edit.setAttribute('aria-expanded', String(!editForm.hidden));
      if (!editForm.hidden) editForm.querySelector('textarea').focus();
    }, { attrs: { 'aria-expanded': 'false', 'aria-controls': editForm.id } });
    const reject = button('Reject…', () => {
      editForm.hidden = true;
      rejectForm.hidden = !rejectForm.hidden;
      reject.setAttribute('aria-expanded', String(!rejectForm.hidden));
      if (!rejectForm.hidden) rejectForm.querySelector('textarea').focus();
    }, { attrs: { 'aria-expanded': 'false', 'aria-controls': rejectForm.id } });
    add(actions, approve, edit, reject);
  }
  return article;
}

function editApproveForm(intent, messages, send) {
  const paramsField = field({
    label: 'Parameters (JSON object)', name: 'parameters', type: 'textarea', required: true, wide: true, rows: 8,
    value: JSON.stringify(intent.parameters || {}, null, 2),
    hint: 'Change what the action will do; the ledger keeps the old and the new values.',
    validate: (v) => {
      let parsed;
      try {
        parsed = JSON.parse(v);
      } catch (e) {
        return `This is not valid JSON: ${e.message}`;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'The parameters must be a JSON object, like {"title": "…"}.';
      return '';
    },
  });
  const commentField = field({ label: 'Comment (optional)', name: 'comment', wide: true, validate: (v) => (v.length > MAX_REASON ? `At most ${MAX_REASON} characters.` : '') });
  const submitBtn = h('button', { type: 'submit', class: 'button button-primary' }, 'Approve with these parameters');
  const form = h('form', { class: 'intent-form stack', hidden: true, novalidate: true, id: `edit-${intent.action_intent_id}`, 'aria-label': `Edit and approve ${intent.action_intent_id}` },
    paramsField, commentField, h('div', { class: 'actions' }, submitBtn));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    messages.clear();
    if (!validateForm(form)) return;
    const body = { account_id: intent.account_id, parameters: JSON.parse(form.elements.namedItem('parameters').value) };
    const comment = form.elements.namedItem('comment').value.trim();
    if (comment) body.comment = comment;
    busy(submitBtn, () => send(body));
  });
  return form;
}

function rejectFormFor(intent, messages, send) {
  const reasonField = field({
    label: 'Reason', name: 'reason', type: 'textarea', required: true, wide: true, rows: 3,
    hint: 'Say why, for the agent and the audit ledger.',
    validate: (v) => (v.length > MAX_REASON ? `At most ${MAX_REASON} characters.` : ''),
  });
  reasonField.querySelector('textarea').classList.add('prose');
  const submitBtn = h('button', { type: 'submit', class: 'button button-danger' }, 'Reject intent');
  const form = h('form', { class: 'intent-form stack', hidden: true, novalidate: true, id: `reject-${intent.action_intent_id}`, 'aria-label': `Reject ${intent.action_intent_id}` },
    reasonField, h('div', { class: 'actions' }, submitBtn));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    messages.clear();
    if (!validateForm(form)) return;
    busy(submitBtn, () => send({ account_id: intent.account_id, reason: form.elements.namedItem('reason').value.trim() }));
  });
  return form;
}

// Polls GET /v1/executions/{id} until the execution has an outcome (404 until it starts).
async function followExecution(intent, result, messages) {
  const deadline = Date.now() + EXECUTION_WAIT_MS;
  const label = h('span', { class: 'muted' }, 'Waiting for the execution…');
  add(result, ' ', label);
  while (Date.now() < deadline && result.isConnected) {
    try {
      const ex = await api('GET', `/v1/executions/${encodeURIComponent(intent.action_intent_id)}`);
      if (ex.outcome) {
        const o = ex.outcome;
        add(clear(label), 'Execution ', badge(o.status),
          o.status === 'SUCCEEDED' ? '' : ` ${[o.error_code, o.error_message].filter(Boolean).join(': ')}`);
        label.classList.remove('muted');
        return;
      }
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) {
        messages.error(err);
        return;
      }
    }
    await new Promise((r) => setTimeout(r, EXECUTION_POLL_MS));
  }
  if (result.isConnected) label.textContent = 'Still executing; see the timeline for the outcome.';
}
