// What the Control Center's browser tests share: the server under test (started by
// tests/shell/web_test.sh), tokens minted with `steward token`, direct API calls, and Debian's
// Chromium driven by playwright-core with every request it makes recorded.
//
// Environment (set by web_test.sh):
//   STEWARD_URL        base URL of the running server, e.g. http://127.0.0.1:40123
//   STEWARD_BIN        the steward binary (mints tokens with the server's secret)
//   STEWARD_DATA_DIR   the server's data directory
//   SCREENSHOT_DIR     where screenshots go (build/web-screenshots)
//   CHROMIUM           the browser (default /usr/bin/chromium)

import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run the tests through tests/shell/web_test.sh`);
  return value;
}

export const BASE = required('STEWARD_URL').replace(/\/$/, '');
export const ORIGIN = new URL(BASE).origin;
const BIN = required('STEWARD_BIN');
const DATA_DIR = required('STEWARD_DATA_DIR');
export const SCREENSHOT_DIR = required('SCREENSHOT_DIR');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Flags for this machine's closed network: without the background-networking ones Chromium keeps
// trying to reach Google's hosts. playwright-core gives every launch a fresh, empty profile
// directory (its own --user-data-dir) and adds --headless.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const RUN = randomBytes(3).toString('hex');

// A tenant id no earlier run used, so runs never see each other's data.
export function freshTenant(label) {
  return `web-${RUN}-${label}`;
}

export function mintToken(tenant, role, sub) {
  return execFileSync(BIN, ['token', '--data-dir', DATA_DIR, '--tenant', tenant, '--role', role,
    '--sub', sub || `${role}-${tenant}`, '--ttl', '1h'], { encoding: 'utf8' }).trim();
}

// Calls the API directly (the test's own hands, not the page). Resolves to {status, body}.
export async function call(token, method, p, body) {
  const headers = { Authorization: `Bearer ${token}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(BASE + p, init);
  const text = await resp.text();
  return { status: resp.status, body: text ? JSON.parse(text) : null, headers: resp.headers };
}

// call() that insists on a 2xx and returns the body.
export async function ok(token, method, p, body) {
  const r = await call(token, method, p, body);
  if (r.status < 200 || r.status > 299) {
    throw new Error(`${method} ${p} answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  return r.body;
}

export async function waitFor(what, fn, timeoutMs = 15000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Waits until the intent's first execution has an outcome; returns the execution.
export function waitForOutcome(token, intentId) {
  return waitFor(`the outcome of ${intentId}`, async () => {
    const r = await call(token, 'GET', `/v1/executions/${intentId}`);
    return r.status === 200 && r.body.outcome ? r.body : null;
  });
}

// The tenant configuration under which CREATE_INTERNAL_TASK auto-executes for `account`.
export async function enableAutopilot(admin, account) {
  await ok(admin, 'PUT', '/v1/autonomy/allowlist', { action_types: ['CREATE_INTERNAL_TASK'] });
  await ok(admin, 'PUT', '/v1/autonomy/config', { action_type: 'CREATE_INTERNAL_TASK', mode: 'AUTO_EXECUTE' });
  await ok(admin, 'PUT', '/v1/autonomy/budget', { account_id: account, max_autonomous_per_day: 10 });
}

export async function createTask(agent, account, title, extra = {}) {
  return ok(agent, 'POST', '/v1/intents', {
    account_id: account, action_type: 'CREATE_INTERNAL_TASK', parameters: { title }, confidence_score: 0.9, ...extra,
  });
}

export function sha256File(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// Every request any page made, across all tests: {url, page}.
export const requests = [];

export class Browser {
  async start() {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }

  async stop() {
    if (this.browser) await this.browser.close();
  }

  // A new, empty browser context (own session storage) and page. Page errors and console errors
  // are collected on the returned object; every request is recorded in `requests`.
  async page({ width = 1280, height = 860 } = {}) {
    const context = await this.browser.newContext({ viewport: { width, height }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // Chromium logs every non-2xx fetch as "Failed to load resource"; the pages handle those
      // answers themselves, and the tests check what they show.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
    });
    context.on('request', (r) => requests.push({ url: r.url(), page: page.url() }));
    return { context, page, errors };
  }
}

export async function signIn(page, token) {
  await page.goto(`${BASE}/`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

// Opens a page of the Control Center by its hash route and waits for its heading.
export async function open(page, route, heading) {
  await page.goto(`${BASE}/#/${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

export async function shot(page, name) {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
