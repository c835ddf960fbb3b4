// Connectors and their circuit breakers (GET /v1/connectors/{id}): the built-in internal
// connector and every http connector the tenant's action types use (at least "default"). Admins
// configure an http connector (PUT /v1/connectors/{id}); its secret is never shown back.

import { api, ApiError } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, badge, time, loading, field, validateForm, card, kv, validId, validInt,
} from '../ui.js';
import { actionTypes } from './common.js';

const DEFAULT_CONNECTOR = 'default';
const MAX_TIMEOUT_MS = 300000;

export async function render(ctx) {
  const admin = ctx.can('admin');
  const holder = h('div', {}, loading());
  const messages = new Messages();
  add(ctx.container,
    pageHeader('Connectors', 'Where approved intents are executed. A connector\'s circuit breaker opens after repeated failures; while it is open, executions wait instead of failing.'),
    messages.el, holder);
  let types = [];
  try {
    types = await actionTypes();
  } catch (err) {
    messages.error(err);
  }
  if (!ctx.alive()) return;
  const ids = new Set(['internal', DEFAULT_CONNECTOR]);
  for (const t of types) ids.add(t.connector_id);
  const usedBy = (id) => types.filter((t) => t.connector_id === id).map((t) => t.action_type);
  clear(holder);
  for (const id of ids) add(holder, connectorCard(id, usedBy(id), admin));
  if (admin) add(holder, newConnectorCard(ctx));
}

function breakerView(cb) {
  if (!cb) return h('span', { class: 'muted' }, 'No calls recorded yet (closed).');
  return h('div', {},
    h('p', {}, badge(cb.state), ` ${cb.recent_failures} of ${cb.failure_threshold} failures in the last ${cb.window_seconds} s; opens for ${cb.cooldown_seconds} s.`),
    kv([
      cb.opened_at ? ['Opened', time(cb.opened_at)] : null,
      cb.retry_at ? ['Next probe', time(cb.retry_at)] : null,
    ]));
}

function connectorCard(id, types, admin) {
  const messages = new Messages();
  const body = h('div', {}, loading());
  const section = card(`Connector ${id}`, types.length ? `Used by ${types.join(', ')}.` : null, messages.el, body);
  section.setAttribute('data-connector', id);
  const reload = async () => {
    let c = null;
    try {
      c = await api('GET', `/v1/connectors/${encodeURIComponent(id)}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) {
        clear(body);
        messages.error(err);
        return;
      }
    }
    clear(body);
    if (!c) {
      add(body, h('p', {}, badge('NOT CONFIGURED', 'warn'), ' Action types bound to it fail with CONNECTOR_NOT_CONFIGURED until it is set up.'));
    } else {
      add(body, kv([
        ['Kind', c.kind === 'internal' ? 'internal (built in: tasks, notes and review flags stored by Steward)' : 'http'],
        c.url ? ['URL', h('code', {}, c.url)] : null,
        c.timeout_ms ? ['Timeout', `${c.timeout_ms} ms`] : null,
        c.kind === 'http' ? ['Signing secret', c.secret_set ? 'set (never shown)' : 'not set: calls are unsigned'] : null,
        c.updated_at ? ['Changed', h('span', {}, time(c.updated_at), ` by ${c.updated_by}`)] : null,
        ['Circuit breaker', breakerView(c.circuit_breaker)],
      ]));
    }
    if (admin && (!c || c.kind === 'http')) add(body, httpForm(id, c, messages, reload));
  };
  reload();
  return section;
}

function httpForm(id, current, messages, reload) {
  const form = h('form', { class: 'stack', novalidate: true, 'aria-label': `Configure connector ${id}` },
    h('details', { open: !current }, h('summary', {}, current ? 'Change this connector' : 'Configure it'),
      h('div', { class: 'form-grid' },
        field({
          label: 'URL', name: 'url', type: 'url', required: true, value: current ? current.url : '', hint: 'The endpoint Steward POSTs tool calls to.',
          validate: (v) => {
            try {
              const u = new URL(v);
              return u.protocol === 'http:' || u.protocol === 'https:' ? '' : 'The URL must start with http:// or https://.';
            } catch {
              return 'This is not a URL (for example https://crm.example.com/steward).';
            }
          },
        }),
        field({ label: 'Timeout (ms)', name: 'timeout_ms', type: 'number', value: current ? current.timeout_ms : '', hint: 'Optional.', validate: validInt('The timeout', 1, MAX_TIMEOUT_MS) }),
        field({ label: 'Signing secret', name: 'secret', type: 'password', hint: current && current.secret_set ? 'Leave empty to keep the current secret.' : 'HMAC-SHA256 key for request signatures.' })),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save connector'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    messages.clear();
    if (!validateForm(form)) return;
    const body = { kind: 'http', url: form.elements.namedItem('url').value.trim() };
    const timeout = form.elements.namedItem('timeout_ms').value.trim();
    if (timeout) body.timeout_ms = Number(timeout);
    const secret = form.elements.namedItem('secret').value;
    if (secret) body.secret = secret;
    const btn = form.querySelector('button[type="submit"]');
    btn.disabled = true;
    try {
      await api('PUT', `/v1/connectors/${encodeURIComponent(id)}`, { body });
      await reload();
      messages.success(`Connector ${id} saved.`);
    } catch (err) {
      messages.error(err);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

function newConnectorCard(ctx) {
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Look up another connector' },
    field({ label: 'Connector id', name: 'id', required: true, validate: validId('The connector id') }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Open')));
  const out = h('div');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!validateForm(form)) return;
    add(clear(out), connectorCard(form.elements.namedItem('id').value.trim(), [], ctx.can('admin')));
  });
  return card('Another http connector', 'Open or create an http connector by id, for tenant action types bound to it.', form, out);
}
