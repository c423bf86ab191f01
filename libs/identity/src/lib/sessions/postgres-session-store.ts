import { queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';
import { IdentityTenantRows } from '../tenant-rows.js';
import {
  DEFAULT_SESSION_POLICY,
  isWellFormedSessionToken,
  LAST_SEEN_GRANULARITY_SECONDS,
  newSessionToken,
  SessionStore,
  sessionTokenHash,
  DEVICE_ID_MAX_LENGTH,
  USER_AGENT_MAX_LENGTH,
  type ActiveSession,
  type ExpiredSession,
  type AuthMethod,
  type NewSession,
  type ResolvedSession,
  type SessionPolicy,
} from './session-store.js';

interface SessionRow {
  id: string;
  user_id: string;
  tenant_id: string;
  auth_method: AuthMethod;
  idp_session_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  device_id: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

const COLUMNS =
  's.id, s.user_id, s.tenant_id, s.auth_method, s.idp_session_id, host(s.client_ip) AS client_ip, s.user_agent, s.device_id, s.created_at, s.last_seen_at, s.expires_at';

/**
 * Sessions in the `sessions` table of the shared database: the default, and nothing to run beside
 * it. The table is under row-level security: what names a session by its token runs through the
 * pre-tenant lookups identity_resolve_session and identity_revoke_session (SECURITY DEFINER,
 * migration IdentityRowLevelSecurity1764600000000), everything else in the tenant's context.
 */
export class PostgresSessionStore extends SessionStore {
  private readonly tenantRows: IdentityTenantRows;

  constructor(
    private readonly dataSource: DataSource,
    private readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
  ) {
    super();
    this.tenantRows = new IdentityTenantRows(dataSource);
  }

  async create(session: NewSession): Promise<{ token: string; session: ActiveSession }> {
    const token = newSessionToken();
    const rows = await this.tenantRows.query<SessionRow>(
      session.tenantId,
      `INSERT INTO sessions AS s (token_hash, user_id, tenant_id, auth_method, idp_session_id, client_ip, user_agent, expires_at, idp_logout_sealed, device_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8::double precision / 1000), $9, $10)
       RETURNING ${COLUMNS}`,
      [
        sessionTokenHash(token),
        session.userId,
        session.tenantId,
        session.authMethod,
        session.idpSessionId ?? null,
        session.clientIp ?? null,
        session.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
        this.policy.absoluteTimeoutMs,
        session.idpLogoutSealed ?? null,
        session.deviceId?.slice(0, DEVICE_ID_MAX_LENGTH) ?? null,
      ],
    );
    return { token, session: toSession(rows[0]!) };
  }

  /**
   * One statement, and a read in the common case: the use is recorded only when the last record
   * is older than a minute, so a busy user does not cost a write (and a WAL flush) per request.
   * The tenant is not known before the session is found, hence the SECURITY DEFINER lookup.
   */
  async resolve(token: string, clientIp: string): Promise<ResolvedSession | undefined> {
    if (!isWellFormedSessionToken(token)) return undefined;
    const rows = await queryRows<SessionRow & { department: string | null; access_version: string; idp_subject: string | null; display_name: string | null; email: string | null }>(
      this.dataSource,
      'SELECT * FROM identity_resolve_session($1, $2, $3, $4)',
      [sessionTokenHash(token), this.policy.idleTimeoutMs, clientIp, LAST_SEEN_GRANULARITY_SECONDS],
    );
    const row = rows[0];
    return row
      ? {
          ...toSession(row),
          department: row.department,
          accessVersion: row.access_version,
          user: { idpSubject: row.idp_subject, displayName: row.display_name, email: row.email },
        }
      : undefined;
  }

  async revoke(token: string): Promise<(ActiveSession & { readonly idpLogoutSealed: string | null }) | undefined> {
    const rows = await queryRows<SessionRow & { idp_logout_sealed: string | null }>(
      this.dataSource,
      'SELECT * FROM identity_revoke_session($1)',
      [sessionTokenHash(token)],
    );
    return rows[0] ? { ...toSession(rows[0]), idpLogoutSealed: rows[0].idp_logout_sealed } : undefined;
  }

  async revokeById(tenantId: string, sessionId: string): Promise<boolean> {
    const rows = await this.tenantRows.query(
      tenantId,
      'UPDATE sessions SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id',
      [tenantId, sessionId],
    );
    return rows.length > 0;
  }

  async revokeAllOfUser(tenantId: string, userId: string): Promise<number> {
    const rows = await this.tenantRows.query(
      tenantId,
      'UPDATE sessions SET revoked_at = now() WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id',
      [tenantId, userId],
    );
    return rows.length;
  }

  async listActive(tenantId: string, userId?: string): Promise<ActiveSession[]> {
    const rows = await this.tenantRows.query<SessionRow>(
      tenantId,
      `SELECT ${COLUMNS} FROM sessions s
        WHERE s.tenant_id = $1 AND ($2::uuid IS NULL OR s.user_id = $2)
          AND s.revoked_at IS NULL AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => $3::double precision / 1000)
        ORDER BY s.last_seen_at DESC`,
      [tenantId, userId ?? null, this.policy.idleTimeoutMs],
    );
    return rows.map(toSession);
  }

  async endExpired(limit: number): Promise<ExpiredSession[]> {
    const rows = await queryRows<{
      id: string;
      user_id: string;
      tenant_id: string;
      client_ip: string | null;
      user_agent: string | null;
      device_id: string | null;
      reason: ExpiredSession['reason'];
      ended_at: Date;
    }>(this.dataSource, 'SELECT * FROM identity_end_expired_sessions($1, $2)', [this.policy.idleTimeoutMs, limit]);
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      tenantId: row.tenant_id,
      clientIp: row.client_ip,
      userAgent: row.user_agent,
      deviceId: row.device_id,
      reason: row.reason,
      endedAt: row.ended_at,
    }));
  }
}

function toSession(row: SessionRow): ActiveSession {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    authMethod: row.auth_method,
    idpSessionId: row.idp_session_id,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    deviceId: row.device_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}
