// The Control Center shell: sign-in, the left navigation (only the pages the person's role may
// use), and a hash router (#/timeline, #/inbox?account=…) that renders one page at a time.

import * as session from './session.js';
import { api } from './api.js';
import { h, add, clear, Messages, field, validateForm, pageHeader, busy } from './ui.js';
import * as timeline from './pages/timeline.js';
import * as explain from './pages/explain.js';
import * as inbox from './pages/inbox.js';
import * as settings from './pages/settings.js';
import * as decisions from './pages/decisions.js';
import * as exportsPage from './pages/exports.js';
import * as ledger from './pages/ledger.js';
import * as connectors from './pages/connectors.js';
import * as insights from './pages/insights.js';

// Pages in navigation order. `role` is the lowest role that can use the page at all.
const PAGES = [
  { id: 'timeline', title: 'Autopilot timeline', role: 'viewer', module: timeline },
  { id: 'inbox', title: 'Approval inbox', role: 'viewer', module: inbox },
  { id: 'settings', title: 'Autonomy settings', role: 'operator', module: settings },
  { id: 'decisions', title: 'Decisions & schedules', role: 'viewer', module: decisions },
  { id: 'exports', title: 'Audit exports', role: 'admin', module: exportsPage },
  { id: 'ledger', title: 'Ledger', role: 'admin', module: ledger },
  { id: 'connectors', title: 'Connectors', role: 'operator', module: connectors },
  { id: 'insights', title: 'Insights', role: 'admin', module: insights },
  { id: 'explain', title: 'Explanation', role: 'viewer', module: explain, hidden: true },
];
const DEFAULT_PAGE = 'timeline';

const main = document.getElementById('main');
let renderCount = 0;
let signInNotice = '';  // shown once on the next sign-in page

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, '');
  const [id, query = ''] = raw.split('?');
  return { id: id || DEFAULT_PAGE, params: new URLSearchParams(query) };
}

// #/id?k=v for links between pages.
export function href(id, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${id}${s ? `?${s}` : ''}`;
}

function showSession(current) {
  const box = document.getElementById('session');
  const nav = document.getElementById('nav');
  if (!current) {
    box.hidden = true;
    nav.hidden = true;
    return;
  }
  document.getElementById('session-tenant').textContent = current.claims.tenant;
  document.getElementById('session-sub').textContent = current.claims.sub || 'unnamed';
  document.getElementById('session-role').textContent = session.topRole(current.claims);
  box.hidden = false;
  nav.hidden = false;
}

function buildNav(claims, activeId) {
  const list = clear(document.getElementById('nav-list'));
  for (const page of PAGES) {
    if (page.hidden || !session.hasRole(claims, page.role)) continue;
    const active = page.id === activeId || (activeId === 'explain' && page.id === 'timeline');
    const link = h('a', { href: href(page.id), 'aria-current': active ? 'page' : null }, page.title);
    list.appendChild(h('li', {}, link));
    // On a narrow window the navigation is a sideways strip: keep the current page in view.
    if (active) requestAnimationFrame(() => link.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
  }
}

function renderSignIn(reason) {
  showSession(null);
  clear(main);
  document.title = 'Sign in · Steward Control Center';
  const messages = new Messages();
  if (reason) messages.info(reason);
  const tokenField = field({
    label: 'Access token', name: 'token', type: 'textarea', required: true, rows: 6, wide: true,
    hint: ['Paste a bearer token (JWT): the admin token that ', h('code', {}, 'make run'), ' prints, or one minted with ',
      h('code', {}, 'steward token --tenant T --role admin'), '. It stays in this tab only (session storage) until you sign out.'],
    validate: (v) => {
      try {
        const claims = session.readClaims(v);
        if (session.isExpired(claims)) return `This token expired at ${new Date(claims.exp * 1000).toLocaleString()}.`;
        return '';
      } catch (e) {
        return e.message;
      }
    },
  });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in');
  const form = h('form', { class: 'stack', novalidate: true, 'aria-label': 'Sign in' }, tokenField, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    messages.clear();
    if (!validateForm(form)) return;
    const token = form.elements.namedItem('token').value.trim();
    await busy(submit, async () => {
      try {
        // Any authenticated read proves the server accepts the token (viewer is the lowest role).
        await api('GET', '/v1/registry/action-types', { token });
      } catch (err) {
        messages.error(err);
        return;
      }
      session.storeToken(token);
      if (parseHash().id === 'signin' || !window.location.hash) window.location.hash = href(DEFAULT_PAGE);
      else render();
    });
  });
  main.appendChild(h('div', { class: 'signin' },
    h('section', { class: 'card' },
      pageHeader('Sign in', 'The Control Center shows and steers what Steward\'s autopilot does for your tenant. Sign in with a token; the tenant and your role come from it.'),
      messages.el, form)));
}

function renderNotAllowed(page, claims) {
  clear(main);
  const messages = new Messages();
  messages.show('warn', `Your role cannot open “${page.title}”.`,
    `This page needs the ${page.role} role or higher; your token has ${session.topRole(claims)}. Ask an administrator for a token with more rights.`);
  add(main, pageHeader(page.title), messages.el);
}

async function render() {
  const { id, params } = parseHash();
  const current = session.current();
  if (!current) {
    renderSignIn(signInNotice);
    signInNotice = '';
    return;
  }
  if (session.isExpired(current.claims)) {
    session.forgetToken();
    renderSignIn('Your token has expired; sign in again.');
    return;
  }
  if (id === 'signin') {
    window.location.hash = href(DEFAULT_PAGE);
    return;
  }
  showSession(current);
  const page = PAGES.find((p) => p.id === id);
  buildNav(current.claims, page ? page.id : '');
  renderCount += 1;
  const mine = renderCount;
  clear(main);
  if (!page) {
    const messages = new Messages();
    messages.show('warn', 'There is no such page.', `“${id}” is not a page of the Control Center. Choose one from the navigation.`);
    add(main, pageHeader('Page not found'), messages.el);
    return;
  }
  document.title = `${page.title} · Steward Control Center`;
  if (!session.hasRole(current.claims, page.role)) {
    renderNotAllowed(page, current.claims);
    return;
  }
  const container = h('div', { class: 'page', 'data-page': page.id });
  main.appendChild(container);
  const ctx = {
    container,
    params,
    claims: current.claims,
    can: (role) => session.hasRole(current.claims, role),
    // False once the person has moved to another page: late answers must not draw.
    alive: () => mine === renderCount,
    // Replaces the current page's query (keeps history usable with Back).
    setParams: (next) => {
      const target = href(page.id, next);
      if (window.location.hash !== target) window.location.hash = target;
      else render();
    },
    href,
  };
  try {
    await page.module.render(ctx);
  } catch (err) {
    if (!ctx.alive()) return;
    const messages = new Messages();
    messages.error(err);
    container.prepend(messages.el);
  }
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.forgetToken();
  signInNotice = 'You are signed out.';
  if (window.location.hash === '#/signin') render();
  else window.location.hash = '#/signin';
});

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

window.addEventListener('hashchange', () => {
  render();
  // After navigating, move focus to the new page's heading for keyboard and screen readers.
  requestAnimationFrame(() => {
    const heading = main.querySelector('h1');
    if (heading) heading.focus();
  });
});

render();
