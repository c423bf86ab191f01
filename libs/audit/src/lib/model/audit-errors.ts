/** An audit event was refused: malformed input, an unknown action, or the wrong tenant. */
export class AuditEventError extends Error {
  override readonly name: string = 'AuditEventError';
}

/** An event for one tenant was recorded while the work runs for another. */
export class AuditTenantMismatchError extends AuditEventError {
  override readonly name = 'AuditTenantMismatchError';
  constructor(eventTenantId: string, contextTenantId: string) {
    super(`An audit event of tenant ${eventTenantId} cannot be recorded in the context of tenant ${contextTenantId}.`);
  }
}
