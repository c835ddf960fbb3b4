// The Control Center end to end: a real server (started by tests/shell/web_test.sh), Debian's
// Chromium driven by playwright-core, and the API called directly to set up data and to check
// what the page did. Each test uses a fresh tenant and saves screenshots under
// build/web-screenshots/. The last test checks that no page ever requested another origin.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BASE, ORIGIN, Browser, requests, freshTenant, mintToken, call, ok, waitFor, waitForOutcome, enableAutopilot,
  createTask, sha256File, signIn, open, shot,
} from './harness.js';

const ACCOUNT = 'acct-1';
const browser = new Browser();

before(async () => {
  await browser.start();
});

after(async () => {
  await browser.stop();
});

test('sign in: a malformed token is refused before sending, a forged one by the server, a real one works', async () => {
  const tenant = freshTenant('signin');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const { page, errors } = await browser.page();
  await page.goto(`${BASE}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await shot(page, '01-sign-in');

  const before = requests.filter((r) => r.url.includes('/v1/')).length;
  await page.getByLabel('Access token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('This is not a token').waitFor();
  assert.equal(await page.getByLabel('Access token').getAttribute('aria-invalid'), 'true');
  assert.equal(requests.filter((r) => r.url.includes('/v1/')).length, before, 'the form sent an invalid token');

  // Same claims, another signature: only the server can tell, and the page says so in words.
  const [head, payload] = admin.split('.');
  await page.getByLabel('Access token').fill(`${head}.${payload}.${'A'.repeat(43)}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Your sign-in was refused (401)' }).waitFor();
  await shot(page, '02-sign-in-refused');

  await page.getByLabel('Access token').fill(admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Autopilot timeline' }).waitFor();
  assert.equal(await page.locator('#session-tenant').textContent(), tenant);
  assert.equal(await page.locator('#session-role').textContent(), 'admin');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('steward.token')), admin);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'the token must not outlive the tab');

  // A reload keeps the session (session storage); signing out forgets it.
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Autopilot timeline' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You are signed out.').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('steward.token')), null);
  assert.deepEqual(errors, []);
});

test('an intent created through the API shows in the timeline as auto-executed, with its explanation', async () => {
  const tenant = freshTenant('timeline');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const agent = mintToken(tenant, 'agent', 'agent-bot');
  await enableAutopilot(admin, ACCOUNT);
  const created = await createTask(agent, ACCOUNT, 'Call back Acme');
  assert.equal(created.gate.result, 'AUTO_EXECUTED');
  const id = created.intent.action_intent_id;
  await waitForOutcome(admin, id);

  const { page, errors } = await browser.page();
  await signIn(page, admin);
  await open(page, `timeline?account=${ACCOUNT}`, 'Autopilot timeline');
  const row = page.locator('tr', { has: page.locator(`a[data-intent="${id}"]`) });
  await row.waitFor();
  assert.match(await row.textContent(), /CREATE_INTERNAL_TASK/);
  assert.match(await row.textContent(), /SUCCEEDED/);
  assert.match(await row.textContent(), /Autopilot/);
  assert.match(await row.textContent(), /task/);
  const tiles = page.locator('.tile', { hasText: 'auto-executed' });
  assert.equal((await tiles.locator('.tile-value').textContent()).trim(), '1');
  await shot(page, '03-timeline-auto-executed');

  await row.getByRole('link', { name: /Explanation of CREATE_INTERNAL_TASK/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Explanation' }).waitFor();
  const why = page.getByTestId('path-explanation');
  await why.waitFor();
  assert.match(await why.textContent(), /POLICY_AUTO_EXECUTED/);
  assert.match(await why.textContent(), /without a person/);
  const counterfactual = page.getByTestId('counterfactual');
  assert.match(await counterfactual.textContent(), /Recorded result\s*AUTO_EXECUTED/);
  assert.match(await counterfactual.textContent(), /Would require approval if .*confidence/);
  assert.match(await counterfactual.textContent(), /budget/);
  const ledger = page.locator('section', { has: page.getByRole('heading', { name: 'Ledger timeline' }) });
  for (const event of ['INTENT_CREATED', 'POLICY_EVALUATED', 'ACTION_APPROVED', 'ACTION_EXECUTED']) {
    assert.match(await ledger.textContent(), new RegExp(event));
  }
  await shot(page, '04-explanation');

  // The execution used one unit of the account's budget: today's usage bar shows it.
  await open(page, `settings?account=${ACCOUNT}`, 'Autonomy settings');
  const budget = page.getByTestId('budget');
  await budget.getByText('1 of 10 used · 9 left').waitFor();
  assert.equal(await budget.getByRole('meter', { name: 'All action types' }).getAttribute('value'), '1');
  await shot(page, '05-settings-budget-usage');

  // The ledger browser, filtered to this intent, shows its entries and verifies the chain.
  await open(page, `ledger?intent=${id}&order=oldest_first`, 'Ledger');
  const entries = page.getByRole('region', { name: 'Ledger entries' });
  await entries.waitFor();
  const events = await entries.locator('tbody tr td:nth-child(3)').allTextContents();
  assert.deepEqual(events.slice(0, 3), ['INTENT_CREATED', 'POLICY_EVALUATED', 'ACTION_APPROVED']);
  assert.ok(events.includes('ACTION_EXECUTED'), events.join());
  await page.getByRole('button', { name: 'Verify the hash chain' }).click();
  await page.getByText('The chain is intact.').waitFor();
  await shot(page, '06-ledger-filtered');
  assert.deepEqual(errors, []);
});

test('approve from the inbox and see it execute; a conflicting approval (409) is shown plainly', async () => {
  const tenant = freshTenant('approve');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const agent = mintToken(tenant, 'agent', 'agent-bot');
  const approver = mintToken(tenant, 'approver', 'ann-approver');
  const first = await createTask(agent, ACCOUNT, 'Prepare the QBR deck');
  const second = await createTask(agent, ACCOUNT, 'Send the renewal quote');
  assert.equal(first.gate.result, 'REQUIRE_APPROVAL');
  const firstId = first.intent.action_intent_id;
  const secondId = second.intent.action_intent_id;

  const { page, errors } = await browser.page();
  await signIn(page, approver);
  await open(page, 'inbox', 'Approval inbox');
  const card = page.locator(`article[data-intent="${firstId}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /Prepare the QBR deck/);
  await shot(page, '07-inbox');
  await card.getByRole('button', { name: 'Approve', exact: true }).click();
  await card.getByText('Approved.').waitFor();
  await card.getByText(/Execution\s*SUCCEEDED/).waitFor();
  await shot(page, '08-inbox-approved');
  const approved = await ok(admin, 'GET', `/v1/intents/${firstId}`);
  assert.equal(approved.status, 'SUCCEEDED');
  assert.equal(approved.approval.source, 'HUMAN');
  assert.equal(approved.approval.by, 'ann-approver');

  // Someone else approves the second intent while the page still offers it.
  await ok(admin, 'POST', `/v1/intents/${secondId}/approve`, { account_id: ACCOUNT });
  const stale = page.locator(`article[data-intent="${secondId}"]`);
  await stale.getByRole('button', { name: 'Approve', exact: true }).click();
  const alert = stale.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Conflict \(409\)/);
  assert.match(await alert.textContent(), /Nothing was changed/);
  assert.equal(await stale.getByRole('button').count(), 0, 'a settled intent still offers buttons');
  await shot(page, '09-inbox-conflict-409');
  assert.deepEqual(errors, []);
});

test('edit the parameters and approve (validated first); reject with a reason', async () => {
  const tenant = freshTenant('edit');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const agent = mintToken(tenant, 'agent', 'agent-bot');
  const approver = mintToken(tenant, 'approver', 'ann-approver');
  const toEdit = (await createTask(agent, ACCOUNT, 'Call Acme')).intent.action_intent_id;
  const toReject = (await createTask(agent, ACCOUNT, 'Email every contact')).intent.action_intent_id;

  const { page, errors } = await browser.page();
  await signIn(page, approver);
  await open(page, 'inbox', 'Approval inbox');
  const card = page.locator(`article[data-intent="${toEdit}"]`);
  await card.getByRole('button', { name: 'Edit and approve…' }).click();
  const params = card.getByLabel('Parameters (JSON object)');
  assert.match(await params.inputValue(), /"title": "Call Acme"/);

  const posts = () => requests.filter((r) => r.url.includes(`/v1/intents/${toEdit}/approve`)).length;
  await params.fill('{"title": "Call Acme about the renewal"');
  await card.getByRole('button', { name: 'Approve with these parameters' }).click();
  await card.getByText('This is not valid JSON').waitFor();
  await params.fill('["not", "an object"]');
  await card.getByRole('button', { name: 'Approve with these parameters' }).click();
  await card.getByText('The parameters must be a JSON object').waitFor();
  assert.equal(posts(), 0, 'invalid parameters were sent');
  await shot(page, '10-inbox-edit-invalid');

  await params.fill('{"title": "Call Acme about the renewal", "due": "friday"}');
  await card.getByLabel('Comment (optional)').fill('Be specific');
  await card.getByRole('button', { name: 'Approve with these parameters' }).click();
  await card.getByText('Edited and approved.').waitFor();
  await card.getByText(/Execution\s*SUCCEEDED/).waitFor();
  const edited = await ok(admin, 'GET', `/v1/intents/${toEdit}`);
  assert.equal(edited.parameters.title, 'Call Acme about the renewal');
  assert.deepEqual([...edited.approval.edited_fields].sort(), ['due', 'title']);
  const execution = await waitForOutcome(admin, toEdit);
  assert.equal(execution.outcome.taxonomy, 'IDEA_EDITED');

  const other = page.locator(`article[data-intent="${toReject}"]`);
  await other.getByRole('button', { name: 'Reject…' }).click();
  await other.getByRole('button', { name: 'Reject intent' }).click();
  await other.getByText('Reason is required.').waitFor();
  assert.equal(requests.filter((r) => r.url.includes(`/v1/intents/${toReject}/reject`)).length, 0);
  await other.getByLabel('Reason').fill('Too broad: never email every contact.');
  await other.getByRole('button', { name: 'Reject intent' }).click();
  await other.getByText('Rejected.').waitFor();
  await shot(page, '11-inbox-edited-and-rejected');
  const rejected = await ok(admin, 'GET', `/v1/intents/${toReject}`);
  assert.equal(rejected.status, 'REJECTED');
  assert.deepEqual(errors, []);

  // The insights page counts the edit and the rejection, in its table and its chart.
  const insights = await browser.page();
  await signIn(insights.page, admin);
  await open(insights.page, 'insights', 'Insights');
  const chart = insights.page.getByRole('img', { name: /Outcomes per action type/ });
  await chart.waitFor();
  assert.match(await chart.getAttribute('aria-label'), /CREATE_INTERNAL_TASK: 0 auto-executed, 0 approved unchanged, 1 edited, 1 rejected, 0 failed/);
  assert.equal(await chart.locator('rect').count(), 2);
  const row = insights.page.getByRole('region', { name: 'Insights per action type and account' }).locator('tbody tr');
  assert.match(await row.textContent(), /CREATE_INTERNAL_TASK\s*acct-1\s*2/);
  await shot(insights.page, '12-insights');
  assert.deepEqual(insights.errors, []);
});

test('the confirmed emergency stop turns autonomy off and the gate answers KILL_SWITCH', async () => {
  const tenant = freshTenant('stop');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const agent = mintToken(tenant, 'agent', 'agent-bot');
  const operator = mintToken(tenant, 'operator', 'olga-operator');
  await enableAutopilot(admin, ACCOUNT);
  // Without the stop this very intent auto-executes, so the KILL_SWITCH below is the stop's doing.
  assert.equal((await createTask(agent, ACCOUNT, 'Before the stop')).gate.result, 'AUTO_EXECUTED');

  const { page, errors } = await browser.page();
  await signIn(page, operator);
  await open(page, 'settings', 'Autonomy settings');
  const state = page.getByTestId('kill-switch-state');
  await state.getByText('Autopilot').waitFor();
  assert.match(await state.textContent(), /Autopilot\s*ON/);

  const stop = page.getByTestId('emergency-stop');
  await stop.click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), new RegExp(`Stop all autonomy for ${tenant}`));
  await shot(page, '13-emergency-stop-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await ok(admin, 'GET', '/v1/autonomy/kill-switches')).autonomy_enabled, true, 'Cancel must change nothing');

  await stop.click();
  await dialog.getByRole('button', { name: 'Stop everything' }).click();
  await page.getByText('Emergency stop engaged.').waitFor();
  await waitFor('the page to show autopilot off', async () => /Autopilot\s*OFF/.test(await state.textContent()));
  assert.match(await state.textContent(), /Execution\s*OFF/);
  await shot(page, '14-emergency-stop-engaged');

  const switches = await ok(admin, 'GET', '/v1/autonomy/kill-switches');
  assert.equal(switches.autonomy_enabled, false);
  assert.equal(switches.execution_enabled, false);
  assert.equal(switches.updated_by, 'olga-operator');
  const after = await createTask(agent, ACCOUNT, 'After the stop');
  assert.equal(after.gate.result, 'REQUIRE_APPROVAL');
  assert.equal(after.gate.reason, 'KILL_SWITCH');
  const ungated = await createTask(agent, ACCOUNT, 'Gate it by hand', { gate: 'none' });
  const gate = await ok(agent, 'POST', '/v1/gate/auto-approval', { action_intent_id: ungated.intent.action_intent_id, account_id: ACCOUNT });
  assert.equal(gate.reason, 'KILL_SWITCH');
  assert.deepEqual(errors, []);
});

test('create an audit export, watch it complete and download it through the page', async () => {
  const tenant = freshTenant('export');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const agent = mintToken(tenant, 'agent', 'agent-bot');
  await createTask(agent, ACCOUNT, 'Something to export');

  const { page, errors } = await browser.page();
  await signIn(page, admin);
  await open(page, 'exports', 'Audit exports');
  await page.getByText('No exports yet.').waitFor();

  // The form checks the range before it sends anything.
  const exportPosts = () => requests.filter((r) => r.url.endsWith('/v1/autonomy/audit/exports')).length;
  const sent = exportPosts();
  await page.getByLabel('From').fill('2030-01-10');
  await page.getByLabel('To (inclusive)').fill('2030-01-01');
  await page.getByRole('button', { name: 'Create export' }).click();
  await page.getByText('To must not be before From.').waitFor();
  assert.equal(exportPosts(), sent);

  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel('From').fill(today);
  await page.getByLabel('To (inclusive)').fill(today);
  await page.getByLabel('Format').selectOption('csv');
  await page.getByRole('button', { name: 'Create export' }).click();
  const watch = page.getByTestId('export-watch');
  await watch.getByText('COMPLETED').waitFor({ timeout: 30000 });
  const sha = (await page.getByTestId('export-sha256').textContent()).trim();
  assert.match(sha, /^[0-9a-f]{64}$/);
  await shot(page, '15-export-completed');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    watch.getByRole('link', { name: /Download export/ }).click(),
  ]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'steward-web-')), download.suggestedFilename());
  await download.saveAs(file);
  assert.equal(sha256File(file), sha, 'the downloaded file is not the one the server hashed');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.startsWith('timestamp,event_type,entry_id,tenant_id,account_id,trace_id,action_intent_id,actor,data,seq,prev_hash,hash'));
  assert.match(text, /INTENT_CREATED/);
  assert.match(download.url(), new RegExp(`^${ORIGIN}/v1/downloads/`));

  const list = await ok(admin, 'GET', '/v1/autonomy/audit/exports');
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].sha256, sha);
  // The list below the form shows it too, with its own download link.
  await page.locator('table').getByRole('link', { name: /Download export/ }).waitFor();
  assert.deepEqual(errors, []);
});

test('a viewer sees what happens but no admin or approval controls', async () => {
  const tenant = freshTenant('viewer');
  const agent = mintToken(tenant, 'agent', 'agent-bot');
  const viewer = mintToken(tenant, 'viewer', 'vic-viewer');
  const waiting = (await createTask(agent, ACCOUNT, 'Look but do not touch')).intent.action_intent_id;

  const { page, errors } = await browser.page();
  await signIn(page, viewer);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Autopilot timeline', 'Approval inbox', 'Decisions & schedules']);

  await open(page, 'inbox', 'Approval inbox');
  const card = page.locator(`article[data-intent="${waiting}"]`);
  await card.waitFor();
  assert.equal(await card.getByRole('button').count(), 0, 'a viewer must not get approve/edit/reject buttons');
  await page.getByText('approving or rejecting needs the approver role').waitFor();
  await shot(page, '16-viewer-inbox');

  for (const [route, title] of [['settings', 'Autonomy settings'], ['exports', 'Audit exports'], ['ledger', 'Ledger'], ['insights', 'Insights'], ['connectors', 'Connectors']]) {
    await page.goto(`${BASE}/#/${route}`);
    await page.getByText(`Your role cannot open “${title}”.`).waitFor();
    assert.equal(await page.getByTestId('emergency-stop').count(), 0);
    assert.equal(await page.locator('main form').count(), 0, `${route} offers a form to a viewer`);
  }
  await shot(page, '17-viewer-settings-refused');

  await open(page, 'decisions', 'Decisions & schedules');
  await page.getByText('TIME_RITUAL_DAILY_BRIEF').first().waitFor();
  for (const name of ['Save schedule', 'Save digest', 'Change']) {
    assert.equal(await page.getByRole('button', { name }).count(), 0, `a viewer sees "${name}"`);
  }
  assert.deepEqual(errors, []);
});

const PAGES = [
  ['timeline', 'Autopilot timeline'], ['inbox', 'Approval inbox'], ['settings', 'Autonomy settings'],
  ['decisions', 'Decisions & schedules'], ['exports', 'Audit exports'], ['ledger', 'Ledger'],
  ['connectors', 'Connectors'], ['insights', 'Insights'],
];

test('every page renders on an empty tenant without an error, wide and narrow', async () => {
  const tenant = freshTenant('empty');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const { page, errors } = await browser.page();
  await signIn(page, admin);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), PAGES.map(([, t]) => t));
  for (const [route, title] of PAGES) {
    await nav.getByRole('link', { name: title }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.waitForLoadState('networkidle');
    await page.locator('.loading').first().waitFor({ state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('.alert-error').count(), 0,
      `${route} shows an error on an empty tenant: ${await page.locator('.alert-error').allTextContents()}`);
    assert.equal(await nav.locator('[aria-current="page"]').textContent(), title);
    await shot(page, `page-${route}`);
  }
  await open(page, 'connectors', 'Connectors');
  const fallback = page.locator('[data-connector="default"]');
  await fallback.getByText('NOT CONFIGURED').waitFor();
  await page.locator('[data-connector="internal"]').getByText('No calls recorded yet').waitFor();
  assert.deepEqual(errors, []);

  const narrow = await browser.page({ width: 390, height: 844 });
  await signIn(narrow.page, admin);
  for (const [route, title] of [['settings', 'Autonomy settings'], ['inbox', 'Approval inbox'], ['exports', 'Audit exports']]) {
    await open(narrow.page, route, title);
    await narrow.page.waitForLoadState('networkidle');
    const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${route} is ${overflow}px wider than a narrow window`);
    await shot(narrow.page, `narrow-${route}`);
  }
  assert.deepEqual(narrow.errors, []);
});

test('keyboard: skip link, navigation by Tab and Enter; every form control has a label', async () => {
  const tenant = freshTenant('keys');
  const admin = mintToken(tenant, 'admin', 'alice-admin');
  const { page, errors } = await browser.page();
  await signIn(page, admin);
  // A fresh load: the first Tab lands on the skip link, which moves focus to the content.
  await page.goto(`${BASE}/#/timeline`);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Autopilot timeline' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');

  // From the brand link, Tab walks through the header into the navigation.
  await page.locator('.brand').focus();
  let reached = false;
  for (let i = 0; i < 15 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.textContent === 'Approval inbox');
  }
  assert.ok(reached, 'Tab never reached the navigation link');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused link shows no focus outline');
  await shot(page, '18-keyboard-focus');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Approval inbox' }).waitFor();
  assert.equal(new URL(page.url()).hash, '#/inbox');

  for (const [route, title] of [...PAGES, ['settings?account=acct-1', 'Autonomy settings'], ['decisions?account=acct-1', 'Decisions & schedules']]) {
    await open(page, route, title);
    await page.waitForLoadState('networkidle');
    const unlabelled = await page.locator('main').evaluate((main) => [...main.querySelectorAll('input, select, textarea')]
      .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML));
    assert.deepEqual(unlabelled, [], `unlabelled controls on ${route}`);
  }
  assert.deepEqual(errors, []);
});

test('the page makes no request outside the server it came from, and its CSP blocks inline code', async () => {
  const { page, errors } = await browser.page();
  const tenant = freshTenant('csp');
  await signIn(page, mintToken(tenant, 'admin', 'alice-admin'));
  const violation = page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
    const s = document.createElement('script');
    s.textContent = 'window.injected = true;';
    document.body.appendChild(s);
  }));
  assert.match(await violation, /^script-src/);
  assert.equal(await page.evaluate(() => window.injected), undefined);
  await shot(page, '19-after-csp-check');
  assert.deepEqual(errors.filter((e) => !e.includes('Content Security Policy')), []);

  // Every request of every test so far, and this one.
  assert.ok(requests.length > 100, `only ${requests.length} requests were recorded`);
  const outside = requests.filter((r) => new URL(r.url).origin !== ORIGIN);
  assert.deepEqual(outside, [], 'requests to another origin');
});
