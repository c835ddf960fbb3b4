// Autonomy settings: kill switches with the emergency stop (operator), the platform-wide stop
// (platform_admin), and for admins the modes, allowlists, budgets with today's usage and the
// policy thresholds. Every section loads and fails on its own, so one error never blanks the page.

import { api, ApiError } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, table, badge, time, emptyState, loading, field, validateForm, button, busy, card,
  confirmDialog, validInt, validTimezone, humanize, uid,
} from '../ui.js';
import { actionTypes, accountField } from './common.js';

const MODES = ['AUTO_EXECUTE', 'APPROVAL_REQUIRED', 'PROPOSE_ONLY', 'DISABLED'];
const MODE_HELP = {
  AUTO_EXECUTE: 'may run on its own when policy, allowlist and budget agree',
  APPROVAL_REQUIRED: 'always waits for a person',
  PROPOSE_ONLY: 'is only proposed, never executed by the gate',
  DISABLED: 'is blocked',
};
const DEFAULT_TYPE = 'DEFAULT';

export async function render(ctx) {
  const account = ctx.params.get('account') || '';
  const accountForm = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Account for account settings' },
    accountField(account, { hint: 'Budgets and account-level modes and allowlists apply to one account. Leave empty for tenant-wide settings.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Use this account')));
  accountForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!validateForm(accountForm)) return;
    ctx.setParams({ account: accountForm.elements.namedItem('account').value.trim() });
  });
  add(ctx.container, pageHeader('Autonomy settings',
    `What the autopilot may do for tenant ${ctx.claims.tenant}: stop it at once, choose modes per tenant, account and action type, the allowlist, daily budgets and the policy thresholds.`));

  const sections = [killSwitchSection(ctx)];
  if (ctx.can('platform_admin')) sections.push(platformSection());
  if (ctx.can('admin')) {
    add(ctx.container, accountForm);
    let types = [];
    try {
      types = (await actionTypes()).map((t) => t.action_type);
    } catch (err) {
      const m = new Messages();
      m.error(err);
      add(ctx.container, m.el);
    }
    if (!ctx.alive()) return;
    sections.push(modesSection(account, types), allowlistSection(account, types), budgetSection(account, types), policySection());
  } else {
    add(ctx.container, h('p', { class: 'alert alert-info', role: 'status' }, 'Modes, allowlists, budgets and thresholds need the admin role; you can use the kill switches.'));
  }
  add(ctx.container, ...sections);
}

// A section that (re)loads itself: load() → data, draw(data, reload) → nodes.
function liveSection(title, intro, load, draw, attrs = {}) {
  const messages = new Messages();
  const body = h('div', {}, loading());
  const section = card(title, intro, messages.el, body);
  for (const [k, v] of Object.entries(attrs)) section.setAttribute(k, v);
  const reload = async () => {
    try {
      const data = await load();
      add(clear(body), ...[].concat(draw(data, reload, messages)));
    } catch (err) {
      clear(body);
      messages.error(err);
    }
  };
  reload();
  return section;
}

// --- Kill switches ---------------------------------------------------------------------------

function killSwitchSection(ctx) {
  return liveSection('Kill switches',
    'Stop the autopilot or all execution for this tenant at once. The gate answers KILL_SWITCH while autopilot is off; queued executions are cancelled while execution is off.',
    () => Promise.all([api('GET', '/v1/autonomy/kill-switches'), actionTypes().catch(() => [])]),
    ([ks, types], reload, messages) => {
      const stopped = !ks.autonomy_enabled || !ks.execution_enabled;
      const state = h('div', { class: 'state-line', 'data-testid': 'kill-switch-state' },
        h('span', {}, 'Autopilot ', badge(ks.autonomy_enabled ? 'ON' : 'OFF')),
        h('span', {}, 'Execution ', badge(ks.execution_enabled ? 'ON' : 'OFF')),
        h('span', {}, 'Platform emergency stop ', badge(ks.emergency_stop ? 'STOPPED' : 'OFF', ks.emergency_stop ? 'bad' : 'ok')),
        ks.updated_at ? h('span', { class: 'muted small' }, 'Changed ', time(ks.updated_at), ` by ${ks.updated_by}`) : null);

      const stop = button('Emergency stop', async () => {
        const ok = await confirmDialog({
          title: `Stop all autonomy for ${ctx.claims.tenant}?`,
          body: 'The autopilot stops auto-executing and nothing executes any more, not even intents a person approved, until you turn autopilot and execution back on here.',
          confirmLabel: 'Stop everything',
          danger: true,
        });
        if (!ok) return;
        await busy(stop, async () => {
          try {
            await api('PUT', '/v1/autonomy/kill-switches', { body: { autonomy_enabled: false, execution_enabled: false } });
            await reload();
            messages.success('Emergency stop engaged.', 'Autopilot and execution are off for this tenant. The gate answers KILL_SWITCH until you turn them back on.');
          } catch (err) {
            messages.error(err);
          }
        });
      }, { kind: 'danger', attrs: { class: 'button button-danger button-stop', 'data-testid': 'emergency-stop' } });

      const autonomy = field({ label: 'Autopilot may auto-execute (autonomy_enabled)', name: 'autonomy_enabled', type: 'checkbox', value: ks.autonomy_enabled });
      const execution = field({ label: 'Approved intents may execute (execution_enabled)', name: 'execution_enabled', type: 'checkbox', value: ks.execution_enabled });
      const disabled = h('fieldset', {}, h('legend', {}, 'Action types switched off'),
        types.length ? h('div', { class: 'checks' }, types.map((t) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', name: 'disabled_type', value: t.action_type, checked: ks.disabled_action_types.includes(t.action_type) }),
          t.action_type))) : h('p', { class: 'muted' }, 'The action types could not be loaded.'));
      const save = h('button', { type: 'submit', class: 'button button-primary' }, 'Save switches');
      const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Kill switches' }, autonomy, execution, disabled, h('div', { class: 'actions' }, save));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        messages.clear();
        const body = {
          autonomy_enabled: form.elements.namedItem('autonomy_enabled').checked,
          execution_enabled: form.elements.namedItem('execution_enabled').checked,
        };
        if (types.length) body.disabled_action_types = [...form.querySelectorAll('input[name="disabled_type"]:checked')].map((c) => c.value);
        busy(save, async () => {
          try {
            await api('PUT', '/v1/autonomy/kill-switches', { body });
            await reload();
            messages.success('Kill switches saved.');
          } catch (err) {
            messages.error(err);
          }
        });
      });
      return [state,
        h('div', { class: 'actions' }, stop, stopped ? badge('Autonomy stopped', 'bad') : null),
        h('details', { open: stopped }, h('summary', {}, 'Set the switches one by one'), form)];
    }, { 'data-testid': 'kill-switches', class: 'card card-danger' });
}

function platformSection() {
  const messages = new Messages();
  const engage = (on) => async (event) => {
    const btn = event.currentTarget;
    const ok = await confirmDialog({
      title: on ? 'Engage the platform emergency stop?' : 'Release the platform emergency stop?',
      body: on ? 'Every tenant\'s autopilot and execution stop until the stop is released.' : 'Tenants resume according to their own kill switches.',
      confirmLabel: on ? 'Stop every tenant' : 'Release',
      danger: on,
    });
    if (!ok) return;
    await busy(btn, async () => {
      try {
        const r = await api('PUT', '/v1/platform/emergency-stop', { body: { engaged: on } });
        messages.success(r.emergency_stop ? 'Platform emergency stop engaged.' : 'Platform emergency stop released.');
      } catch (err) {
        messages.error(err);
      }
    });
  };
  return card('Platform emergency stop', 'For platform administrators: stops autonomy and execution for every tenant on this Steward.',
    messages.el,
    h('div', { class: 'actions' },
      button('Engage for all tenants', engage(true), { kind: 'danger' }),
      button('Release', engage(false))));
}

// --- Modes -----------------------------------------------------------------------------------

function modesSection(account, types) {
  return liveSection('Autonomy modes',
    'Resolution, first match wins: account + type, tenant + type, account default, tenant default, else APPROVAL_REQUIRED.',
    () => api('GET', '/v1/autonomy/config', { query: { account_id: account } }),
    (list, reload, messages) => {
      const scopeOptions = [['', 'Whole tenant']];
      if (account) scopeOptions.push([account, `Account ${account}`]);
      const form = h('form', { class: 'form-grid', novalidate: true, 'aria-label': 'Set a mode' },
        field({ label: 'Applies to', name: 'scope', type: 'select', options: scopeOptions, value: account }),
        field({ label: 'Action type', name: 'action_type', type: 'select', options: [[DEFAULT_TYPE, 'Every type (default)'], ...types.map((t) => [t, t])] }),
        field({ label: 'Mode', name: 'mode', type: 'select', wide: true, options: MODES.map((m) => [m, `${humanize(m)} — ${MODE_HELP[m]}`]) }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Set mode')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        messages.clear();
        const body = { mode: form.elements.namedItem('mode').value, action_type: form.elements.namedItem('action_type').value };
        const scope = form.elements.namedItem('scope').value;
        if (scope) body.account_id = scope;
        busy(form.querySelector('button[type="submit"]'), async () => {
          try {
            await api('PUT', '/v1/autonomy/config', { body });
            await reload();
            messages.success('Mode saved.', `${body.action_type === DEFAULT_TYPE ? 'Every type' : body.action_type} for ${scope ? `account ${scope}` : 'the whole tenant'}: ${body.mode}.`);
          } catch (err) {
            messages.error(err);
          }
        });
      });
      const rows = list.items;
      const remove = (row) => {
        const btn = button('Remove', async () => {
          const ok = await confirmDialog({
            title: 'Remove this mode?',
            body: `${row.action_type} for ${row.account_id ? `account ${row.account_id}` : 'the whole tenant'} falls back to the next rule.`,
            confirmLabel: 'Remove',
          });
          if (!ok) return;
          await busy(btn, async () => {
            try {
              await api('DELETE', '/v1/autonomy/config', { query: { account_id: row.account_id || '', action_type: row.action_type } });
              await reload();
              messages.success('Mode removed.');
            } catch (err) {
              messages.error(err);
            }
          });
        }, { small: true, attrs: { 'aria-label': `Remove mode of ${row.action_type} for ${row.account_id || 'the tenant'}` } });
        return btn;
      };
      return [
        rows.length ? table([
          { label: 'Scope', render: (r) => (r.account_id ? h('span', {}, 'Account ', h('code', {}, r.account_id)) : 'Tenant') },
          { label: 'Action type', render: (r) => (r.action_type === DEFAULT_TYPE ? 'Every type (default)' : r.action_type) },
          { label: 'Mode', render: (r) => badge(r.mode) },
          { label: 'Changed', render: (r) => h('span', {}, time(r.updated_at), ` by ${r.updated_by}`) },
          { label: 'Actions', render: remove },
        ], rows, { label: 'Autonomy modes' }) : emptyState('No mode is set: everything requires approval (APPROVAL_REQUIRED).'),
        h('h3', {}, 'Set a mode'),
        form,
      ];
    });
}

// --- Allowlist -------------------------------------------------------------------------------

function allowlistSection(account, types) {
  return liveSection(account ? `Allowlist for account ${account}` : 'Tenant allowlist',
    'Only allowlisted action types may auto-execute. An account list, even an empty one, replaces the tenant list; removing it restores the tenant list.',
    () => api('GET', '/v1/autonomy/allowlist', { query: { account_id: account } }),
    (al, reload, messages) => {
      const sourceText = { account: 'this account\'s own list', tenant: 'the tenant list', none: 'no list: nothing auto-executes' }[al.source] || al.source;
      const checks = h('div', { class: 'checks' }, types.map((t) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', name: 'allow', value: t, checked: al.action_types.includes(t) }), t)));
      const save = h('button', { type: 'submit', class: 'button button-primary' }, account ? 'Save account list' : 'Save tenant list');
      const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Allowlist' },
        h('fieldset', {}, h('legend', {}, 'Action types that may auto-execute'), checks),
        h('div', { class: 'actions' }, save,
          account && al.source === 'account' ? button('Remove account list (use the tenant list)', async (event) => {
            const btn = event.currentTarget;
            await busy(btn, async () => {
              try {
                await api('DELETE', '/v1/autonomy/allowlist', { query: { account_id: account } });
                await reload();
                messages.success('Account list removed.', 'The account uses the tenant list again.');
              } catch (err) {
                messages.error(err);
              }
            });
          }) : null));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        messages.clear();
        const body = { action_types: [...form.querySelectorAll('input[name="allow"]:checked')].map((c) => c.value) };
        if (account) body.account_id = account;
        busy(save, async () => {
          try {
            await api('PUT', '/v1/autonomy/allowlist', { body });
            await reload();
            messages.success('Allowlist saved.', body.action_types.length ? body.action_types.join(', ') : 'Empty: nothing auto-executes here.');
          } catch (err) {
            messages.error(err);
          }
        });
      });
      return [h('p', {}, 'In force: ', h('strong', {}, sourceText), al.updated_at ? h('span', { class: 'muted small' }, ' — changed ', time(al.updated_at), ` by ${al.updated_by}`) : null), form];
    });
}

// --- Budget ----------------------------------------------------------------------------------

function budgetSection(account, types) {
  if (!account) {
    return card('Daily autonomy budget', 'Budgets are per account.', emptyState('Choose an account above to see its budget and today\'s usage.'));
  }
  return liveSection(`Daily autonomy budget for ${account}`,
    'The most autonomous executions per day, in total and per action type. Without a budget nothing auto-executes for the account.',
    async () => {
      try {
        return await api('GET', '/v1/autonomy/budget', { query: { account_id: account } });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    (b, reload, messages) => {
      const nodes = [];
      if (b) {
        nodes.push(h('h3', {}, `Today (${b.day}, ${b.timezone})`), usageRow('All action types', b.used_today, b.max_autonomous_per_day));
        for (const [type, limit] of Object.entries(b.max_per_action_type || {})) {
          nodes.push(usageRow(type, (b.used_per_action_type || {})[type] || 0, limit));
        }
        for (const [type, used] of Object.entries(b.used_per_action_type || {})) {
          if (!(type in (b.max_per_action_type || {}))) nodes.push(usageRow(type, used, null));
        }
      } else {
        nodes.push(h('p', { class: 'alert alert-info', role: 'status' }, `No budget is configured for ${account}: nothing auto-executes for it until you set one.`));
      }
      const limits = b ? b.max_per_action_type || {} : {};
      const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Budget' },
        h('div', { class: 'form-grid' },
          field({ label: 'Autonomous executions per day', name: 'max', type: 'number', required: true, value: b ? b.max_autonomous_per_day : '', attrs: { min: '0', step: '1' }, validate: validInt('The daily limit', 0) }),
          field({ label: 'Time zone of the day boundary', name: 'timezone', value: b ? b.timezone : 'UTC', required: true, validate: validTimezone })),
        h('fieldset', {}, h('legend', {}, 'Per action type (optional)'),
          h('div', { class: 'form-grid' }, types.map((t) => field({
            label: t, name: `limit:${t}`, type: 'number', value: limits[t] ?? '', attrs: { min: '0', step: '1' },
            validate: validInt(`The limit of ${t}`, 0),
          })))),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save budget'),
          b ? button('Reset today\'s usage', async (event) => {
            const btn = event.currentTarget;
            const ok = await confirmDialog({ title: `Reset today's usage for ${account}?`, body: 'Today\'s count starts again from zero; the ledger records the reset.', confirmLabel: 'Reset usage' });
            if (!ok) return;
            await busy(btn, async () => {
              try {
                await api('DELETE', '/v1/autonomy/budget/state', { query: { account_id: account, date: b.day } });
                await reload();
                messages.success('Today\'s usage was reset.');
              } catch (err) {
                messages.error(err);
              }
            });
          }) : null));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        messages.clear();
        if (!validateForm(form)) return;
        const perType = {};
        for (const t of types) {
          const v = form.elements.namedItem(`limit:${t}`).value.trim();
          if (v !== '') perType[t] = Number(v);
        }
        const body = {
          account_id: account,
          max_autonomous_per_day: Number(form.elements.namedItem('max').value),
          max_per_action_type: perType,
          timezone: form.elements.namedItem('timezone').value.trim(),
        };
        busy(form.querySelector('button[type="submit"]'), async () => {
          try {
            await api('PUT', '/v1/autonomy/budget', { body });
            await reload();
            messages.success('Budget saved.');
          } catch (err) {
            messages.error(err);
          }
        });
      });
      nodes.push(h('h3', {}, b ? 'Change the budget' : 'Set a budget'), form);
      return nodes;
    }, { 'data-testid': 'budget' });
}

function usageRow(label, used, limit) {
  const meterId = uid('usage');
  const hasLimit = limit !== null && limit !== undefined;
  return h('div', { class: 'usage' },
    h('label', { class: 'usage-label', for: meterId }, label),
    h('meter', {
      id: meterId, min: '0', max: String(hasLimit ? Math.max(limit, 1) : Math.max(used, 1)), value: String(used),
      low: hasLimit ? String(Math.floor(limit * 0.7)) : null, high: hasLimit ? String(Math.floor(limit * 0.9)) : null, optimum: '0',
    }, `${used} of ${hasLimit ? limit : 'no limit'}`),
    h('span', { class: 'usage-figure' }, hasLimit ? `${used} of ${limit} used · ${Math.max(limit - used, 0)} left` : `${used} used · no own limit`));
}

// --- Policy thresholds -----------------------------------------------------------------------

function policySection() {
  return liveSection('Policy thresholds', null,
    () => api('GET', '/v1/autonomy/policy'),
    (p, reload, messages) => {
      const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Policy thresholds' },
        h('div', { class: 'form-grid' },
          field({
            label: 'Confidence threshold (0–1)', name: 'confidence_threshold', type: 'number', required: true, value: p.confidence_threshold,
            attrs: { min: '0', max: '1', step: '0.01' },
            hint: 'Intents below it wait for a person (never below an action type\'s own minimum).',
            validate: (v) => (/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(v) ? '' : 'The threshold is a number from 0 to 1, e.g. 0.7.'),
          }),
          field({
            label: 'Most pending jobs per tenant', name: 'max_pending_jobs', type: 'number', required: true, value: p.max_pending_jobs,
            attrs: { min: '1', step: '1' }, hint: 'Beyond it new intents get 429 until work drains.', validate: validInt('The pending job bound', 1),
          })),
        field({ label: 'People may approve intents they created themselves', name: 'allow_self_approval', type: 'checkbox', value: p.allow_self_approval }),
        h('p', { class: 'muted small' }, `Policy ${p.policy_version}`, p.updated_at ? [' — changed ', time(p.updated_at), ` by ${p.updated_by}`] : null),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save thresholds')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        messages.clear();
        if (!validateForm(form)) return;
        const body = {
          confidence_threshold: Number(form.elements.namedItem('confidence_threshold').value),
          max_pending_jobs: Number(form.elements.namedItem('max_pending_jobs').value),
          allow_self_approval: form.elements.namedItem('allow_self_approval').checked,
        };
        busy(form.querySelector('button[type="submit"]'), async () => {
          try {
            await api('PUT', '/v1/autonomy/policy', { body });
            await reload();
            messages.success('Thresholds saved.');
          } catch (err) {
            messages.error(err);
          }
        });
      });
      return form;
    });
}
