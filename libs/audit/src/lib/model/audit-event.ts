/** Version of the stored and forwarded event document; bump with a new JSON Schema `$id`. */
export const AUDIT_SCHEMA_VERSION = 1;

/** Tenant whose hash chain holds platform/operator events that belong to no tenant. */
export const PLATFORM_TENANT_ID = '00000000-0000-0000-0000-000000000000';

/** Defined by the tenancy library, which identity work without a signed-in user needs too. */
export { SYSTEM_ACTOR_ID } from '@veilig/tenancy';

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditActor {
  readonly type: 'user' | 'operator' | 'system';
  /** Our user UUID. */
  readonly userId?: string;
  /** Entra oid / IdP subject. */
  readonly idpSubject?: string;
  readonly displayName?: string;
  readonly email?: string;
  /** OS user / declarations file name for CLI/operator actions. */
  readonly operator?: string;
}

export interface AuditDevice {
  readonly ip?: string;
  readonly userAgent?: string;
  readonly deviceId?: string;
}

export interface AuditTarget {
  readonly type: string;
  readonly id?: string;
}

export type AuditDetailValue = string | number | boolean | null | readonly string[];

/** What a caller passes to the writer. */
export interface AuditEventInput {
  /** null = platform/operator event without a tenant. */
  readonly tenantId: string | null;
  /** From the taxonomy, e.g. 'auth.logon', 'data.viewed'. */
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly actor: AuditActor;
  /** Public session id (not the cookie token). */
  readonly sessionId?: string;
  readonly device?: AuditDevice;
  readonly target?: AuditTarget;
  readonly reason?: string;
  readonly requestId?: string;
  readonly details?: Readonly<Record<string, AuditDetailValue>>;
  /** Defaults to now. */
  readonly occurredAt?: Date;
}

/** What is stored, chained and forwarded. */
export interface AuditEvent extends Omit<AuditEventInput, 'occurredAt' | 'tenantId'> {
  readonly schemaVersion: 1;
  /** UUID, stable across redelivery. */
  readonly id: string;
  /** PLATFORM_TENANT_ID when the input had null. */
  readonly tenantId: string;
  /** ISO 8601 UTC with milliseconds. */
  readonly occurredAt: string;
}

export interface ChainedAuditEvent {
  readonly event: AuditEvent;
  /** Position in the tenant's chain, 1-based, gap-free. */
  readonly sequence: number;
  /** Hex sha256. */
  readonly hash: string;
  /** Hex; 64 zeros for sequence 1. */
  readonly previousHash: string;
}
