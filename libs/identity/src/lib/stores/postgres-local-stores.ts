import { queryRows } from '@veilig/platform-database';
import type { DataSource } from 'typeorm';
import type { LocalAccount, LocalAccountStore } from '../local/local-sign-in.js';
import type { ThrottleOutcome, ThrottleStore } from '../local/login-throttle.js';
import { IdentityTenantRows } from '../tenant-rows.js';

interface LocalAccountRow {
  id: string;
  tenant_id: string;
  email: string;
  password_hash: string;
  totp_secret_sealed: string | null;
  totp_confirmed_at: Date | null;
  totp_last_step: string | null;
  recovery_code_hashes: string[];
}

const ACCOUNT_COLUMNS = 'id, tenant_id, email, password_hash, totp_secret_sealed, totp_confirmed_at, totp_last_step, recovery_code_hashes';

/**
 * Local (password + TOTP) accounts; e-mail addresses are stored in their normalised form. Every
 * query runs in the tenant's context (users is under row-level security): a local sign-in names
 * its tenant before it names the account.
 */
export class PostgresLocalAccountStore implements LocalAccountStore {
  private readonly tenantRows: IdentityTenantRows;

  constructor(dataSource: DataSource) {
    this.tenantRows = new IdentityTenantRows(dataSource);
  }

  async findByEmail(tenantId: string, normalisedEmail: string): Promise<LocalAccount | undefined> {
    const rows = await this.tenantRows.query<LocalAccountRow>(
      tenantId,
      `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE tenant_id = $1 AND lower(email) = $2 AND password_hash IS NOT NULL`,
      [tenantId, normalisedEmail],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async findById(tenantId: string, userId: string): Promise<LocalAccount | undefined> {
    const rows = await this.tenantRows.query<LocalAccountRow>(
      tenantId,
      `SELECT ${ACCOUNT_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2 AND password_hash IS NOT NULL`,
      [tenantId, userId],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async advanceTotpStep(tenantId: string, userId: string, step: number): Promise<boolean> {
    const rows = await this.tenantRows.query(
      tenantId,
      `UPDATE users SET totp_last_step = $3, last_login_at = now()
        WHERE tenant_id = $1 AND id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3) RETURNING id`,
      [tenantId, userId, step],
    );
    return rows.length === 1;
  }

  async removeRecoveryCode(tenantId: string, userId: string, codeHash: string): Promise<boolean> {
    const rows = await this.tenantRows.query(
      tenantId,
      `UPDATE users SET recovery_code_hashes = array_remove(recovery_code_hashes, $3), last_login_at = now()
        WHERE tenant_id = $1 AND id = $2 AND $3 = ANY(recovery_code_hashes) RETURNING id`,
      [tenantId, userId, codeHash],
    );
    return rows.length === 1;
  }

  async replacePasswordHash(tenantId: string, userId: string, passwordHash: string): Promise<void> {
    await this.tenantRows.query(tenantId, 'UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, userId, passwordHash]);
  }

  /**
   * Creates a local account with its first password. It cannot sign in before the user has
   * enrolled an authenticator app; the database refuses this on a federated tenant.
   */
  async createAccount(tenantId: string, normalisedEmail: string, passwordHash: string, names: { displayName?: string } = {}): Promise<string> {
    const rows = await this.tenantRows.query<{ id: string }>(
      tenantId,
      'INSERT INTO users (tenant_id, email, password_hash, display_name) VALUES ($1, $2, $3, $4) RETURNING id',
      [tenantId, normalisedEmail, passwordHash, names.displayName ?? null],
    );
    return rows[0]!.id;
  }

  /** An enrolment not confirmed yet: it replaces any earlier unconfirmed one, never a confirmed one. */
  async storePendingTotpSecret(tenantId: string, userId: string, sealedSecret: string): Promise<void> {
    await this.tenantRows.query(
      tenantId,
      'UPDATE users SET totp_secret_sealed = $3 WHERE tenant_id = $1 AND id = $2 AND totp_confirmed_at IS NULL',
      [tenantId, userId, sealedSecret],
    );
  }

  async findPendingTotpSecret(tenantId: string, userId: string): Promise<string | undefined> {
    const rows = await this.tenantRows.query<{ totp_secret_sealed: string | null }>(
      tenantId,
      'SELECT totp_secret_sealed FROM users WHERE tenant_id = $1 AND id = $2 AND totp_confirmed_at IS NULL',
      [tenantId, userId],
    );
    return rows[0]?.totp_secret_sealed ?? undefined;
  }

  async confirmTotp(tenantId: string, userId: string, step: number, recoveryCodeHashes: readonly string[]): Promise<void> {
    await this.tenantRows.query(
      tenantId,
      `UPDATE users SET totp_confirmed_at = now(), totp_last_step = $3, recovery_code_hashes = $4, last_login_at = now()
        WHERE tenant_id = $1 AND id = $2 AND totp_confirmed_at IS NULL`,
      [tenantId, userId, step, [...recoveryCodeHashes]],
    );
  }
}

function toAccount(row: LocalAccountRow): LocalAccount {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    passwordHash: row.password_hash,
    totp:
      row.totp_secret_sealed && row.totp_confirmed_at
        ? { sealedSecret: row.totp_secret_sealed, lastUsedStep: row.totp_last_step === null ? undefined : Number(row.totp_last_step) }
        : undefined,
    recoveryCodeHashes: row.recovery_code_hashes,
  };
}

export class PostgresThrottleStore implements ThrottleStore {
  constructor(private readonly dataSource: DataSource) {}

  async record(key: string, outcome: ThrottleOutcome, at: Date): Promise<void> {
    if (outcome !== 'failure') return;
    await queryRows(this.dataSource, 'INSERT INTO login_failures (key, failed_at) VALUES ($1, $2)', [key, at]);
  }

  async recentFailures(key: string, since: Date): Promise<number> {
    const rows = await queryRows<{ count: string }>(this.dataSource, 'SELECT count(*) FROM login_failures WHERE key = $1 AND failed_at >= $2', [
      key,
      since,
    ]);
    return Number(rows[0]!.count);
  }

  async lockedUntil(key: string): Promise<Date | undefined> {
    const rows = await queryRows<{ locked_until: Date }>(this.dataSource, 'SELECT locked_until FROM login_locks WHERE key = $1', [key]);
    return rows[0]?.locked_until;
  }

  async lock(key: string, until: Date): Promise<void> {
    await queryRows(
      this.dataSource,
      'INSERT INTO login_locks (key, locked_until) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET locked_until = EXCLUDED.locked_until',
      [key, until],
    );
  }

  async clear(key: string): Promise<void> {
    await queryRows(this.dataSource, 'DELETE FROM login_failures WHERE key = $1', [key]);
    await queryRows(this.dataSource, 'DELETE FROM login_locks WHERE key = $1', [key]);
  }
}
