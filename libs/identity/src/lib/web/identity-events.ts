import type { Logger } from 'pino';

export type IdentityAction =
  | 'auth.logon'
  | 'auth.logoff'
  | 'auth.failed'
  | 'auth.rejected'
  | 'mfa.enrolled'
  | 'mfa.failed'
  | 'session.revoked'
  | 'sso.connection.created'
  | 'sso.connection.removed'
  | 'sso.connection.updated'
  | 'sso.connection.metadata-refresh'
  | 'tenant.created'
  | 'tenant.auth-mode.changed'
  | 'tenant.status.changed'
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
  /** What the action was done to, when that is not the actor's own session or the connection. */
  readonly target?: { readonly type: string; readonly id: string } | undefined;
  readonly reason?: string | undefined;
  readonly clientIp?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly requestId?: string | undefined;
  /** Who did it, for operator actions from the command line. */
  readonly operator?: string | undefined;
}

/**
 * The one interface identity code emits events through. Awaited: a sign-in is answered only
 * after its event is stored, so no logon goes unrecorded. The application records them in the
 * audit trail (@veilig/audit); the logging implementation serves tools that run without it.
 */
export abstract class IdentityEvents {
  abstract emit(event: IdentityEvent): Promise<void>;
}

export class LoggingIdentityEvents extends IdentityEvents {
  constructor(private readonly logger: Logger) {
    super();
  }

  async emit(event: IdentityEvent): Promise<void> {
    this.logger.info({ audit: { ...event, at: new Date().toISOString() } }, event.action);
  }
}
