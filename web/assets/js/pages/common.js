// Pieces several pages share: the tenant's action types, the account filter, outcome cells.

import { api } from '../api.js';
import { storedToken } from '../session.js';
import { h, field, validId, badge } from '../ui.js';

let typesCache = { token: null, promise: null };

// The action type names of the tenant's registry (built-in and its own), fetched once per token.
export function actionTypes() {
  const token = storedToken();
  if (typesCache.token !== token || !typesCache.promise) {
    const promise = api('GET', '/v1/registry/action-types').then((r) => r.items);
    // A failed fetch is not kept: the next page asks again.
    promise.catch(() => { if (typesCache.promise === promise) typesCache = { token: null, promise: null }; });
    typesCache = { token, promise };
  }
  return typesCache.promise;
}

export function accountField(value, { required = false, hint, label = 'Account' } = {}) {
  return field({
    label, name: 'account', value: value || '', required,
    hint: hint ?? (required ? 'The CRM account id, e.g. acct-42.' : 'Leave empty for every account.'),
    validate: validId(label),
  });
}

// Connectors report object URLs; only http(s) ones become links (never javascript: or data:).
function isWebUrl(url) {
  if (!url) return false;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

// The result column of an outcome: created objects, or the error.
export function outcomeResult(o) {
  if (o.status === 'SUCCEEDED') {
    const refs = o.external_object_refs || [];
    if (!refs.length) return h('span', { class: 'muted' }, 'no objects');
    return refs.map((r, i) => [i ? ', ' : '', isWebUrl(r.object_url)
      ? h('a', { href: r.object_url, rel: 'noreferrer noopener', target: '_blank' }, `${r.object_type} ${r.object_id}`)
      : h('span', {}, `${r.object_type} `, h('code', { class: 'ellipsis', title: r.object_id }, r.object_id))]);
  }
  const parts = [o.error_code, o.error_message].filter(Boolean).join(': ');
  return parts ? h('span', {}, parts) : h('span', { class: 'muted' }, '—');
}

export function sourceBadge(outcome) {
  if (outcome.auto_executed) return badge('Autopilot', 'info');
  if (outcome.approval_source === 'HUMAN') return badge('Human', 'ok');
  return badge(outcome.approval_source || '—', 'info');
}
