import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../secret-box.js';

/** Where a browser is in a local sign-in, sealed into the short-lived `__Host-login` cookie. */
export interface PendingLocalLogin {
  readonly tenantId: string;
  readonly userId: string;
  readonly stage: 'second-factor' | 'enrol';
  readonly expiresAt: number;
  readonly enrolment?: { readonly otpauthUri: string; readonly manualKey: string };
}

export const LOGIN_COOKIE = 'login';
export const LOGIN_STEP_SECONDS = 600;
const PENDING_PURPOSE = 'login-pending';
const DISCOVERY_PURPOSE = 'login-discovery';

export function sealPendingLogin(box: SecretBox, login: PendingLocalLogin): string {
  return box.seal(JSON.stringify(login), PENDING_PURPOSE);
}

export function openPendingLogin(box: SecretBox, sealed: string | undefined, now = Date.now()): PendingLocalLogin | undefined {
  const login = openJson<PendingLocalLogin>(box, sealed, PENDING_PURPOSE);
  return login && login.expiresAt > now ? login : undefined;
}

/**
 * The result of tenant discovery, as an opaque ticket of the same shape whether or not the
 * tenant exists: an unknown organisation gets a random tenant id that matches nothing, so the
 * discovery answer enumerates nothing.
 */
export function sealDiscoveryTicket(box: SecretBox, tenantId: string | undefined, now = Date.now()): string {
  return box.seal(JSON.stringify({ tenantId: tenantId ?? randomUUID(), expiresAt: now + LOGIN_STEP_SECONDS * 1000 }), DISCOVERY_PURPOSE);
}

export function openDiscoveryTicket(box: SecretBox, ticket: string, now = Date.now()): string | undefined {
  const opened = openJson<{ tenantId: string; expiresAt: number }>(box, ticket, DISCOVERY_PURPOSE);
  return opened && opened.expiresAt > now ? opened.tenantId : undefined;
}

function openJson<T>(box: SecretBox, sealed: string | undefined, purpose: string): T | undefined {
  if (!sealed || sealed.length > 3000) return undefined;
  try {
    return JSON.parse(box.open(sealed, purpose).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
