/** An auditor's search or export was refused: a bad filter, cursor or limit. */
export class AuditQueryError extends Error {
  override readonly name = 'AuditQueryError';
}
