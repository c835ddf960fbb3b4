// Calls to the Steward API on the origin that served this page (never anywhere else), with the
// signed-in person's bearer token, and the errors they answer put into words.

import { storedToken } from './session.js';

// An API error: `status` is the HTTP status (0 when the server could not be reached), `code`
// the SPEC error code, `message` the server's sentence, `field` the offending field if named.
export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.retryAfter = retryAfter || null;
  }
}

const STATUS_CODES = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
};

// Builds a same-origin URL for `path` with the non-empty `query` values.
export function apiUrl(path, query = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    url.searchParams.set(key, String(value));
  }
  return url;
}

// Calls `method path` and resolves to the parsed JSON answer; rejects with an ApiError.
// `token` overrides the stored one (sign-in checks a token before keeping it).
export async function api(method, path, { query, body, token } = {}) {
  const headers = { Accept: 'application/json' };
  const bearer = token ?? storedToken();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const init = { method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(apiUrl(path, query), init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'The Steward server could not be reached. Check that it is running and try again.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = data && typeof data === 'object' ? data.error : null;
    const code = (err && err.code) || STATUS_CODES[response.status] || 'INTERNAL';
    const message = (err && err.message) || response.statusText || 'no explanation given';
    throw new ApiError(response.status, code, message, err && err.field,
      response.headers.get('Retry-After'));
  }
  return data;
}

function sentence(text) {
  const t = String(text).trim();
  if (!t) return '';
  const upper = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(upper) ? upper : `${upper}.`;
}

// Puts an error into words for a person: {title, detail}. Works for ApiErrors and any other
// Error (a programming error is still shown rather than swallowed).
export function describeError(err) {
  if (!(err instanceof ApiError)) {
    return { title: 'Something went wrong in this page.', detail: sentence(err && err.message ? err.message : err) };
  }
  const field = err.field ? ` (field “${err.field}”)` : '';
  const server = sentence(err.message) + field;
  switch (err.status) {
    case 0:
      return { title: 'The server could not be reached.', detail: sentence(err.message) };
    case 400:
      return { title: 'The server did not accept the request (400 Bad Request).', detail: server };
    case 401:
      return { title: 'Your sign-in was refused (401): the token is invalid or has expired.', detail: `${server} Sign out and sign in again with a fresh token.` };
    case 403:
      return { title: 'You are not allowed to do this (403 Forbidden).', detail: server };
    case 404:
      return { title: 'Not found (404).', detail: server };
    case 409:
      return { title: 'Conflict (409): the server refused because of the current state.', detail: `${server} Nothing was changed; refresh to see the current state.` };
    case 410:
      return { title: 'Gone (410).', detail: server };
    case 413:
      return { title: 'The request is too large (413).', detail: server };
    case 429: {
      const wait = err.retryAfter ? ` Try again in ${err.retryAfter} s.` : ' Try again shortly.';
      return { title: 'Too much pending work (429).', detail: server + wait };
    }
    case 503:
      return { title: 'The server is temporarily unavailable (503).', detail: server };
    default:
      return { title: `The server answered with an error (${err.status} ${err.code}).`, detail: server };
  }
}
