// Decisions and schedules (SPEC §7): the trigger registry with its debounce, cooldown and hourly
// cap, the daily decision budget, an account's opt-in to rituals, the daily digest settings, the
// ritual schedules (cron in a time zone) and the latest cost-gate evaluations.

import { api } from '../api.js';
import {
  h, add, clear, Messages, pageHeader, table, badge, time, emptyState, loading, field, validateForm, button, busy, card,
  confirmDialog, validInt, validTimezone, validId,
} from '../ui.js';
import { accountField } from './common.js';

const RUNS_SHOWN = 25;
const CRON_FIELD = /^[\d*,\-/A-Za-z]+$/;

export async function render(ctx) {
  const account = ctx.params.get('account') || '';
  const admin = ctx.can('admin');
  const accountForm = h('form', { class: 'filters', novalidate: true, 'aria-label': 'Account' },
    accountField(account, { hint: 'Opt-in, the account\'s decision budget and its schedules. Leave empty for the tenant.' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Use this account')));
  accountForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!validateForm(accountForm)) return;
    ctx.setParams({ account: accountForm.elements.namedItem('account').value.trim() });
  });
  add(ctx.container,
    pageHeader('Decisions & schedules', 'When decision runs may happen: each trigger type\'s debounce, cooldown and hourly cap, the daily decision budget, and the ritual schedules that accounts opt in to.'),
    admin ? null : h('p', { class: 'alert alert-info', role: 'status' }, 'You can read these settings; changing them needs the admin role.'),
    accountForm,
    triggersSection(admin),
    h('div', { class: 'grid-2' },
      account ? optInSection(account, admin) : card('Opt-in to rituals', null, emptyState('Choose an account to see whether it opted in.')),
      digestSection(admin)),
    admin ? decisionBudgetSection(account) : null,
    schedulesSection(account, admin),
    runsSection(account));
}

function liveCard(title, intro, load, draw) {
  const messages = new Messages();
  const body = h('div', {}, loading());
  const section = card(title, intro, messages.el, body);
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

async function save(btn, messages, fn, success) {
  messages.clear();
  await busy(btn, async () => {
    try {
      await fn();
      messages.success(success);
    } catch (err) {
      messages.error(err);
    }
  });
}

function triggersSection(admin) {
  return liveCard('Trigger types', 'A RUN_DECISION is skipped within the debounce window, deferred within the cooldown of the last allowed run, and deferred when the hourly cap is reached.',
    () => api('GET', '/v1/autonomy/triggers'),
    (list, reload, messages) => {
      const editor = h('div');
      const edit = (t) => {
        const form = h('form', { class: 'stack', novalidate: true, 'aria-label': `Change ${t.trigger_type}` },
          h('h3', {}, `Change ${t.trigger_type}`),
          h('div', { class: 'form-grid' },
            field({ label: 'Debounce (seconds)', name: 'debounce_seconds', type: 'number', required: true, value: t.debounce_seconds, validate: validInt('The debounce', 0) }),
            field({ label: 'Cooldown (seconds)', name: 'cooldown_seconds', type: 'number', required: true, value: t.cooldown_seconds, validate: validInt('The cooldown', 0) }),
            field({ label: 'Most runs per hour', name: 'max_per_hour', type: 'number', required: true, value: t.max_per_hour, validate: validInt('The hourly cap', 0) }),
            field({ label: 'Enabled', name: 'enabled', type: 'checkbox', value: t.enabled })),
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save trigger'), button('Cancel', () => clear(editor))));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          if (!validateForm(form)) return;
          const body = {
            trigger_type: t.trigger_type,
            enabled: form.elements.namedItem('enabled').checked,
            debounce_seconds: Number(form.elements.namedItem('debounce_seconds').value),
            cooldown_seconds: Number(form.elements.namedItem('cooldown_seconds').value),
            max_per_hour: Number(form.elements.namedItem('max_per_hour').value),
          };
          save(form.querySelector('button[type="submit"]'), messages, async () => {
            await api('PUT', '/v1/autonomy/triggers', { body });
            await reload();
          }, `${t.trigger_type} saved.`);
        });
        add(clear(editor), form);
        form.querySelector('input').focus();
      };
      const columns = [
        { label: 'Trigger type', render: (t) => h('code', {}, t.trigger_type) },
        { label: 'Enabled', render: (t) => badge(t.enabled ? 'ENABLED' : 'DISABLED') },
        { label: 'Debounce', render: (t) => `${t.debounce_seconds} s`, class: 'num' },
        { label: 'Cooldown', render: (t) => `${t.cooldown_seconds} s`, class: 'num' },
        { label: 'Per hour', render: (t) => String(t.max_per_hour), class: 'num' },
        { label: 'Source', render: (t) => (t.source === 'tenant' ? badge('tenant override', 'info') : h('span', { class: 'muted' }, 'default')) },
      ];
      if (admin) {
        columns.push({
          label: 'Actions',
          render: (t) => h('span', { class: 'actions' },
            button('Change', () => edit(t), { small: true, attrs: { 'aria-label': `Change ${t.trigger_type}` } }),
            t.source === 'tenant' ? button('Reset', async (event) => {
              const btn = event.currentTarget;
              const ok = await confirmDialog({ title: `Reset ${t.trigger_type}?`, body: 'The tenant override is removed; built-in types return to their defaults and tenant-defined types disappear.', confirmLabel: 'Reset' });
              if (!ok) return;
              save(btn, messages, async () => {
                await api('DELETE', '/v1/autonomy/triggers', { query: { trigger_type: t.trigger_type } });
                await reload();
              }, `${t.trigger_type} reset.`);
            }, { small: true, attrs: { 'aria-label': `Reset ${t.trigger_type}` } }) : null),
        });
      }
      return [list.items.length ? table(columns, list.items, { label: 'Trigger types' }) : emptyState('No trigger types.'), editor];
    });
}

function optInSection(account, admin) {
  return liveCard('Opt-in to rituals', `Schedules for ${account} can only be enabled after it opts in.`,
    () => api('GET', '/v1/autonomy/opt-in', { query: { account_id: account } }),
    (o, reload, messages) => [
      h('p', {}, `${account}: `, badge(o.opted_in ? 'OPTED IN' : 'NOT OPTED IN', o.opted_in ? 'ok' : 'warn'),
        o.updated_at ? h('span', { class: 'muted small' }, ' — changed ', time(o.updated_at), ` by ${o.updated_by}`) : null),
      admin ? button(o.opted_in ? 'Withdraw opt-in' : 'Opt in', (event) => save(event.currentTarget, messages, async () => {
        await api('PUT', '/v1/autonomy/opt-in', { body: { account_id: account, opted_in: !o.opted_in } });
        await reload();
      }, o.opted_in ? 'Opt-in withdrawn.' : 'Opted in.')) : null,
    ]);
}

function digestSection(admin) {
  return liveCard('Daily digest', 'The daily summary event; schedules need it enabled.',
    () => api('GET', '/v1/autonomy/digest/settings'),
    (d, reload, messages) => {
      if (!admin) return h('p', {}, badge(d.enabled ? 'ENABLED' : 'DISABLED'), ` at ${String(d.hour).padStart(2, '0')}:00 ${d.timezone}`);
      const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Daily digest' },
        field({ label: 'Send the daily digest', name: 'enabled', type: 'checkbox', value: d.enabled }),
        h('div', { class: 'form-grid' },
          field({ label: 'Hour (0–23)', name: 'hour', type: 'number', required: true, value: d.hour, validate: validInt('The hour', 0, 23) }),
          field({ label: 'Time zone', name: 'timezone', required: true, value: d.timezone, validate: validTimezone })),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save digest')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!validateForm(form)) return;
        const body = {
          enabled: form.elements.namedItem('enabled').checked,
          hour: Number(form.elements.namedItem('hour').value),
          timezone: form.elements.namedItem('timezone').value.trim(),
        };
        save(form.querySelector('button[type="submit"]'), messages, async () => {
          await api('PUT', '/v1/autonomy/digest/settings', { body });
          await reload();
        }, 'Digest settings saved.');
      });
      return form;
    });
}

function decisionBudgetSection(account) {
  return liveCard(account ? `Decision budget for ${account}` : 'Decision budget (tenant)', 'The most RUN_DECISION evaluations allowed per day; beyond it triggers are skipped (BUDGET_EXHAUSTED).',
    () => api('GET', '/v1/autonomy/decision-budget', { query: { account_id: account } }),
    (b, reload, messages) => {
      const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': 'Decision budget' },
        field({ label: 'Runs per day', name: 'max_per_day', type: 'number', required: true, value: b.max_per_day ?? '', validate: validInt('The daily decision budget', 0) }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save')));
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        if (!validateForm(form)) return;
        const body = { max_per_day: Number(form.elements.namedItem('max_per_day').value) };
        if (account) body.account_id = account;
        save(form.querySelector('button[type="submit"]'), messages, async () => {
          await api('PUT', '/v1/autonomy/decision-budget', { body });
          await reload();
        }, 'Decision budget saved.');
      });
      const limit = b.max_per_day;
      return [
        h('p', {}, limit === null ? 'No decision budget: runs are not limited per day. ' : `Today (${b.day}): ${b.used_today} of ${limit} used, ${b.remaining_today} left `,
          h('span', { class: 'muted small' }, `(source: ${b.source})`)),
        limit !== null ? h('meter', { min: '0', max: String(Math.max(limit, 1)), value: String(b.used_today), 'aria-label': 'Decision budget used today' }) : null,
        form,
      ];
    });
}

function schedulesSection(account, admin) {
  return liveCard('Ritual schedules', 'Each enabled schedule submits a RUN_DECISION at every cron slot, in its time zone, exactly once per slot.',
    async () => {
      const [schedules, triggers] = await Promise.all([
        api('GET', '/v1/autonomy/schedules', { query: { account_id: account } }),
        api('GET', '/v1/autonomy/triggers'),
      ]);
      return { schedules: schedules.items, triggers: triggers.items.map((t) => t.trigger_type) };
    },
    ({ schedules, triggers }, reload, messages) => {
      const columns = [
        { label: 'Account', render: (s) => h('code', {}, s.account_id) },
        { label: 'Trigger', render: (s) => s.trigger_type },
        { label: 'Cron', render: (s) => h('code', {}, s.cron) },
        { label: 'Time zone', render: (s) => s.timezone },
        { label: 'Enabled', render: (s) => badge(s.enabled ? 'ENABLED' : 'DISABLED') },
        { label: 'Next run', render: (s) => time(s.next_fire_at) },
        { label: 'Last slot', render: (s) => time(s.last_slot_at) },
      ];
      if (admin) {
        columns.push({
          label: 'Actions',
          render: (s) => button('Delete', async (event) => {
            const btn = event.currentTarget;
            const ok = await confirmDialog({ title: 'Delete this schedule?', body: `${s.trigger_type} for ${s.account_id} (${s.cron}) stops firing.`, confirmLabel: 'Delete', danger: true });
            if (!ok) return;
            save(btn, messages, async () => {
              await api('DELETE', '/v1/autonomy/schedules', { query: { account_id: s.account_id, trigger_type: s.trigger_type } });
              await reload();
            }, 'Schedule deleted.');
          }, { small: true, attrs: { 'aria-label': `Delete schedule ${s.trigger_type} for ${s.account_id}` } }),
        });
      }
      const nodes = [schedules.length ? table(columns, schedules, { label: 'Ritual schedules' }) : emptyState(account ? `No schedules for ${account}.` : 'No ritual schedules.')];
      if (admin) {
        const rituals = triggers.filter((t) => t.startsWith('TIME_RITUAL'));
        const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Add or change a schedule' },
          h('h3', {}, 'Add or change a schedule'),
          h('div', { class: 'form-grid' },
            field({ label: 'Account', name: 'account_id', required: true, value: account, validate: validId('The account') }),
            field({ label: 'Trigger type', name: 'trigger_type', type: 'select', options: (rituals.length ? rituals : triggers).map((t) => [t, t]) }),
            field({
              label: 'Cron (5 fields)', name: 'cron', required: true, value: '0 8 * * 1-5', hint: 'minute hour day-of-month month day-of-week',
              validate: (v) => {
                const parts = v.split(/\s+/);
                if (parts.length !== 5) return `A cron expression has 5 fields; this has ${parts.length}.`;
                return parts.every((p) => CRON_FIELD.test(p)) ? '' : 'Each field holds digits, *, ranges (1-5), lists (1,3) or steps (*/15).';
              },
            }),
            field({ label: 'Time zone', name: 'timezone', required: true, value: 'UTC', validate: validTimezone }),
            field({ label: 'Enabled', name: 'enabled', type: 'checkbox', value: true, hint: 'Needs the account\'s opt-in and the daily digest.' })),
          h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Save schedule')));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          if (!validateForm(form)) return;
          const body = {
            account_id: form.elements.namedItem('account_id').value.trim(),
            trigger_type: form.elements.namedItem('trigger_type').value,
            cron: form.elements.namedItem('cron').value.trim().split(/\s+/).join(' '),
            timezone: form.elements.namedItem('timezone').value.trim(),
            enabled: form.elements.namedItem('enabled').checked,
          };
          save(form.querySelector('button[type="submit"]'), messages, async () => {
            await api('PUT', '/v1/autonomy/schedules', { body });
            await reload();
          }, 'Schedule saved.');
        });
        nodes.push(form);
      }
      return nodes;
    });
}

function runsSection(account) {
  return liveCard('Latest cost-gate evaluations', null,
    () => api('GET', '/v1/decisions/runs', { query: { account_id: account, limit: RUNS_SHOWN } }),
    (page) => (page.items.length ? table([
      { label: 'Evaluated', render: (r) => time(r.evaluated_at), class: 'nowrap' },
      { label: 'Account', render: (r) => h('code', {}, r.account_id) },
      { label: 'Trigger', render: (r) => r.trigger_type },
      { label: 'Result', render: (r) => badge(r.result) },
      { label: 'Reason', render: (r) => (r.reason ? h('code', {}, r.reason) : '—') },
      { label: 'Explanation', render: (r) => r.explanation },
    ], page.items, { label: 'Cost-gate evaluations' }) : emptyState('No decision runs yet.')));
}
