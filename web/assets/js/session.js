// The signed-in person: the pasted bearer token, kept in this tab's session storage only, and
// what its claims say (tenant, subject, roles). The claims are read without verifying the
// signature: they only decide what the pages offer; the server checks every call.

const STORAGE_KEY = 'steward.token';

// Tenant roles, lowest first (SPEC §3). platform_admin stands apart and counts as admin.
export const ROLES = ['viewer', 'agent', 'approver', 'operator', 'admin'];
const PLATFORM_ADMIN = 'platform_admin';

function decodeSegment(segment) {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

// Reads a JWT's claims. Throws an Error whose message says, in words, what is wrong.
export function readClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)) || !parts[1]) {
    throw new Error('This is not a token: a token has three parts separated by dots (header.payload.signature).');
  }
  let payload;
  try {
    payload = decodeSegment(parts[1]);
  } catch {
    throw new Error('The token\'s payload cannot be read; copy the whole token again.');
  }
  if (payload === null || typeof payload !== 'object') {
    throw new Error('The token\'s payload is not a set of claims.');
  }
  const tenant = payload.tenant_id ?? payload['custom:tenant_id'];
  if (typeof tenant !== 'string' || tenant === '') {
    throw new Error('The token names no tenant (claim tenant_id).');
  }
  let roles = [];
  if (Array.isArray(payload.roles)) roles = payload.roles.filter((r) => typeof r === 'string');
  else if (typeof payload.role === 'string') roles = [payload.role];
  const exp = typeof payload.exp === 'number' ? payload.exp : null;
  return { tenant, sub: typeof payload.sub === 'string' ? payload.sub : '', roles, exp };
}

export function isExpired(claims, nowMs = Date.now()) {
  return claims.exp !== null && claims.exp * 1000 <= nowMs;
}

function rank(role) {
  if (role === PLATFORM_ADMIN) return ROLES.indexOf('admin');
  return ROLES.indexOf(role);
}

// True when the claims carry `role` or a role above it.
export function hasRole(claims, role) {
  if (!claims) return false;
  if (role === PLATFORM_ADMIN) return claims.roles.includes(PLATFORM_ADMIN);
  const need = rank(role);
  return claims.roles.some((r) => rank(r) >= need && rank(r) >= 0);
}

// The highest tenant role, for display.
export function topRole(claims) {
  if (claims.roles.includes(PLATFORM_ADMIN)) return PLATFORM_ADMIN;
  let best = '';
  for (const r of claims.roles) if (rank(r) > rank(best)) best = r;
  return best || 'no role';
}

export function storedToken() {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeToken(token) {
  sessionStorage.setItem(STORAGE_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(STORAGE_KEY);
}

// The current session ({token, claims}), or null when nobody is signed in or the stored
// token no longer reads.
export function current() {
  const token = storedToken();
  if (!token) return null;
  try {
    return { token, claims: readClaims(token) };
  } catch {
    forgetToken();
    return null;
  }
}
