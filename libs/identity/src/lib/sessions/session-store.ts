import { createHash, randomBytes } from 'node:crypto';

export type AuthMethod = 'saml' | 'oidc' | 'password+totp' | 'password+recovery-code';

export interface SessionPolicy {
  /** Ends a session nobody used for this long. */
  readonly idleTimeoutMs: number;
  /** Ends every session this long after sign-in, used or not. */
  readonly absoluteTimeoutMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleTimeoutMs: 30 * 60_000, absoluteTimeoutMs: 10 * 60 * 60_000 };

export interface NewSession {
  readonly userId: string;
  readonly tenantId: string;
  readonly authMethod: AuthMethod;
  readonly idpSessionId: string | undefined;
  readonly clientIp: string | undefined;
  readonly userAgent: string | undefined;
  /** Entra's device id claim, when Conditional Access sent one: the device every audit event of the session names. */
  readonly deviceId?: string | undefined;
  /** Sealed by the caller: what single logout at the IdP needs. */
  readonly idpLogoutSealed?: string | undefined;
}

export interface ActiveSession {
  /** Public id, safe to list and to name in a revoke request; the token itself is never stored. */
  readonly id: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly authMethod: AuthMethod;
  readonly idpSessionId: string | null;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  readonly deviceId: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

/**
 * A session as the request path sees it, with what authorization needs and would otherwise cost
 * a query of its own: the user's department (for team rules) and the tenant's access_version,
 * which changes whenever roles or their assignments do, so cached permissions can be trusted
 * exactly as long as it is unchanged.
 */
export interface ResolvedSession extends ActiveSession {
  readonly department: string | null;
  readonly accessVersion: string;
  /** Who the user is, for the audit trail (a natural person must be traceable): IdP subject, name, e-mail. */
  readonly user: { readonly idpSubject: string | null; readonly displayName: string | null; readonly email: string | null };
}

/** How stale the recorded last use may get before a request records it again; far below the idle timeout. */
export const LAST_SEEN_GRANULARITY_SECONDS = 60;

/** Longest user agent kept with a session: enough to recognise a device in the session list. */
export const USER_AGENT_MAX_LENGTH = 512;

/** Longest device id kept; Entra's are GUIDs, so anything longer is not one. */
export const DEVICE_ID_MAX_LENGTH = 200;

/**
 * Server-side sessions, so any replica can serve any request: in PostgreSQL
 * (PostgresSessionStore) or in Redis (RedisSessionStore, SESSION_STORE=redis). The cookie carries
 * a 256-bit random token; a store keeps only its SHA-256, so reading the store does not yield a
 * usable session. A new token is made at every sign-in (no fixation).
 *
 * The class is the injection token everything in this library asks for; the application decides
 * which implementation stands behind it.
 */
export abstract class SessionStore {
  abstract create(session: NewSession): Promise<{ token: string; session: ActiveSession }>;

  /**
   * The session a token names, if it is neither revoked, idle too long, past its absolute end,
   * of a tenant that is no longer active, nor used from outside the tenant's IP allow-list (SV-4).
   * Records the use at most once a minute, so a busy user does not cost a write per request.
   */
  abstract resolve(token: string, clientIp: string): Promise<ResolvedSession | undefined>;

  /** Logout: ends this session. Returns what was ended, for the audit record and the IdP logout. */
  abstract revoke(token: string): Promise<(ActiveSession & { readonly idpLogoutSealed: string | null }) | undefined>;

  /** Ends one session of a user by its public id (a user ending another device, or an admin). */
  abstract revokeById(tenantId: string, sessionId: string): Promise<boolean>;

  /** "Log out everywhere". Returns how many sessions were ended. */
  abstract revokeAllOfUser(tenantId: string, userId: string): Promise<number>;

  /** The live sessions of a tenant, or of one user in it; most recently used first. */
  abstract listActive(tenantId: string, userId?: string): Promise<ActiveSession[]>;

  /**
   * Ends up to `limit` sessions whose idle or absolute timeout has passed and tells who they were,
   * so their logoff is recorded. A store that forgets expired sessions by itself, without telling
   * (Redis), returns none.
   */
  abstract endExpired(limit: number): Promise<ExpiredSession[]>;
}

/** A session ended by its timeout, for its logoff event. */
export interface ExpiredSession {
  readonly id: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
  readonly deviceId: string | null;
  readonly reason: 'idle-timeout' | 'absolute-timeout';
  readonly endedAt: Date;
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether a cookie value can be a token at all: anything else is refused before a store is asked. */
export function isWellFormedSessionToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export function sessionTokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
