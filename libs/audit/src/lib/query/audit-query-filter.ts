import { z } from 'zod';
import { AUDIT_ACTIONS, isAuditAction } from '../model/audit-actions.js';
import { AuditQueryError } from './audit-query.error.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ACTION_PREFIX = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)*\.$/;
const instant = z.union([z.date(), z.iso.datetime({ offset: true }).transform((text) => new Date(text))]);

export const auditQueryFilterSchema = z
  .strictObject({
    /** Inclusive. */
    from: instant.optional(),
    /** Exclusive. */
    to: instant.optional(),
    /** A user id (UUID) or an e-mail address (case-insensitive). */
    actor: z.string().trim().min(1).max(320).optional(),
    /** An action of AUDIT_ACTIONS, or a prefix of some ending in "." such as "auth." */
    action: z
      .string()
      .refine(
        (action) => isAuditAction(action) || (ACTION_PREFIX.test(action) && Object.keys(AUDIT_ACTIONS).some((known) => known.startsWith(action))),
        'action must be one of AUDIT_ACTIONS or a prefix of them ending in "." (such as "auth.")',
      )
      .optional(),
    targetType: z.string().min(1).max(200).optional(),
    targetId: z.string().min(1).max(500).optional(),
    outcome: z.enum(['success', 'failure', 'denied']).optional(),
  })
  .refine(({ from, to }) => !from || !to || from < to, { message: '"from" must be before "to"', path: ['to'] });

export type AuditQueryFilter = z.input<typeof auditQueryFilterSchema>;

interface Condition {
  readonly sql: string;
  readonly value: unknown;
}

/** `where` conditions (after `tenant_id = $1`) with their values, numbered from $2. */
export interface FilterSql {
  readonly conditions: readonly string[];
  readonly values: readonly unknown[];
}

/** Validates an auditor's filter and turns it into SQL conditions on bound values, never spliced text. */
export function filterSql(filter: unknown): FilterSql {
  const parsed = auditQueryFilterSchema.safeParse(filter);
  if (!parsed.success) throw new AuditQueryError(`Audit query refused:\n${z.prettifyError(parsed.error)}`);
  const { from, to, actor, action, targetType, targetId, outcome } = parsed.data;
  const conditions: Condition[] = [];
  if (from) conditions.push({ sql: 'occurred_at >= $', value: from });
  if (to) conditions.push({ sql: 'occurred_at < $', value: to });
  if (actor && UUID.test(actor)) conditions.push({ sql: `event #>> '{actor,userId}' = $`, value: actor.toLowerCase() });
  else if (actor) conditions.push({ sql: `lower(event #>> '{actor,email}') = lower($)`, value: actor });
  if (action && isAuditAction(action)) conditions.push({ sql: 'action = $', value: action });
  // The prefix has no LIKE wildcards: ACTION_PREFIX admits letters, digits, "-" and "." only.
  else if (action) conditions.push({ sql: "action LIKE $ || '%'", value: action });
  if (targetType) conditions.push({ sql: `event #>> '{target,type}' = $`, value: targetType });
  if (targetId) conditions.push({ sql: `event #>> '{target,id}' = $`, value: targetId });
  if (outcome) conditions.push({ sql: 'outcome = $', value: outcome });
  return {
    conditions: conditions.map(({ sql }, index) => sql.replace('$', () => `$${index + 2}`)),
    values: conditions.map(({ value }) => value),
  };
}
