import type { Logger } from 'pino';

export type IdentityAction =
  | 'auth.logon'
  | 'auth.logoff'
  | 'auth.failed'
  | 'auth.rejected'
  | 'mfa.enrolled'
  | 'mfa.failed'
  | 'sso.connection.created'
  | 'sso.connection.removed'
  | 'sso.connection.updated'
  | 'sso.connection.metadata-refresh'
  | 'tenant.created'
  | 'tenant.auth-mode.changed'
  | 'tenant.email-domains.changed'
  | 'tenant.ip-allow-list.changed';

/** One security-relevant identity event (SV-7.9: logon, logoff, rejected attempts), with the precise reason a user never sees. */
export interface IdentityEvent {
  readonly action: IdentityAction;
  readonly outcome: 'success' | 'failure' | 'denied';
  readonly tenantId?: string | undefined;
  readonly userId?: string | undefined;
  readonly protocol?: 'saml' | 'oidc' | 'local' | undefined;
  readonly connectionId?: string | undefined;
  readonly reason?: string | undefined;
  readonly clientIp?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly requestId?: string | undefined;
  /** Who did it, for operator actions from the command line. */
  readonly operator?: string | undefined;
}

/**
 * The one interface identity code emits events through. The audit capability replaces the
 * logging implementation with its transactional, tamper-evident writer.
 */
export abstract class IdentityEvents {
  abstract emit(event: IdentityEvent): void;
}

export class LoggingIdentityEvents extends IdentityEvents {
  constructor(private readonly logger: Logger) {
    super();
  }

  emit(event: IdentityEvent): void {
    this.logger.info({ audit: { ...event, at: new Date().toISOString() } }, event.action);
  }
}
