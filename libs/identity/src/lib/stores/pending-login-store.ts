import { queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';

/**
 * One-use records of sign-ins in flight: SAML AuthnRequest ids and OIDC state. In PostgreSQL, so
 * the replica that receives the IdP's answer need not be the one that sent the user there, and
 * bound to the connection, so an answer for tenant A's request cannot complete at tenant B.
 */
export class PendingLoginStore {
  constructor(private readonly dataSource: DataSource) {}

  async save(id: string, connectionId: string, expiresAt: Date, sealedState?: string): Promise<void> {
    await queryRows(this.dataSource, 'INSERT INTO pending_logins (id, connection_id, sealed_state, expires_at) VALUES ($1, $2, $3, $4)', [
      id,
      connectionId,
      sealedState ?? null,
      expiresAt,
    ]);
  }

  /** Removes and returns the record when it exists for this connection and has not expired. */
  async take(id: string, connectionId: string): Promise<{ sealedState: string | null } | undefined> {
    const rows = await queryRows<{ sealed_state: string | null }>(
      this.dataSource,
      'DELETE FROM pending_logins WHERE id = $1 AND connection_id = $2 AND expires_at > now() RETURNING sealed_state',
      [id, connectionId],
    );
    return rows[0] ? { sealedState: rows[0].sealed_state } : undefined;
  }

  async purgeExpired(): Promise<number> {
    return (await queryRows(this.dataSource, 'DELETE FROM pending_logins WHERE expires_at <= now() RETURNING id')).length;
  }
}

/** Assertion ids seen per connection until they expire: a captured SAML response cannot be posted twice. */
export class SeenAssertionStore {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the id was seen before. */
  async remember(assertionId: string, connectionId: string, expiresAt: Date): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource,
      `INSERT INTO seen_assertions (connection_id, assertion_id, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING assertion_id`,
      [connectionId, assertionId, expiresAt],
    );
    return rows.length === 1;
  }

  async purgeExpired(): Promise<number> {
    return (await queryRows(this.dataSource, 'DELETE FROM seen_assertions WHERE expires_at <= now() RETURNING assertion_id')).length;
  }
}
