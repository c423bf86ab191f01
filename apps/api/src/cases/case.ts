import { z } from 'zod';

export type CaseStatus = 'open' | 'closed';

/** What anyone who may see a case sees: nothing that identifies the citizen. */
export interface CaseSummary {
  readonly id: string;
  readonly title: string;
  readonly category: string;
  readonly status: CaseStatus;
  readonly team: string | null;
  readonly assigneeId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly closedAt: string | null;
}

/** Fields that are personal data (AVG): shown only with cases:read or cases:read-all, and every view of them is audited. */
export const PERSONAL_FIELDS = ['citizenName', 'citizenBsn', 'citizenAddress', 'description', 'resolution'] as const;

export interface CaseDetail extends CaseSummary {
  readonly citizenName: string;
  readonly citizenBsn: string | null;
  readonly citizenAddress: string | null;
  readonly description: string;
  readonly resolution: string | null;
  readonly createdBy: string;
}

/** The Dutch BSN "elfproef": nine digits whose weighted sum (9…2, and −1 for the last) is a multiple of 11. */
export function isValidBsn(value: string): boolean {
  // All zeros passes the arithmetic but is no citizen's number.
  if (!/^[0-9]{9}$/.test(value) || value === '000000000') return false;
  const digits = [...value].map(Number);
  const sum = digits.slice(0, 8).reduce((total, digit, index) => total + digit * (9 - index), 0) - digits[8]!;
  return sum % 11 === 0;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const bsn = z.string().trim().refine(isValidBsn, 'is not a valid BSN (nine digits passing the elfproef)');

export const NEW_CASE = z
  .object({
    title: text(200),
    category: text(100),
    citizenName: text(200),
    citizenBsn: bsn.optional(),
    citizenAddress: text(500).optional(),
    description: z.string().max(10_000).default(''),
  })
  .strict();
export type NewCase = z.output<typeof NEW_CASE>;

/** Only what is named changes: no defaults here, or a title change would also reset the description. */
export const CASE_CHANGE = z
  .object({
    title: text(200).optional(),
    category: text(100).optional(),
    citizenName: text(200).optional(),
    // null clears a personal field the citizen should no longer be recorded with.
    citizenBsn: bsn.nullable().optional(),
    citizenAddress: text(500).nullable().optional(),
    description: z.string().max(10_000).optional(),
  })
  .strict()
  .refine((change) => Object.values(change).some((value) => value !== undefined), 'name at least one field to change');
export type CaseChange = z.output<typeof CASE_CHANGE>;

export const CASE_CLOSING = z.object({ resolution: text(2000) }).strict();

export const CASE_ASSIGNMENT = z
  .object({ assigneeId: z.uuid().nullable().optional(), team: text(200).nullable().optional() })
  .strict()
  .refine((assignment) => assignment.assigneeId !== undefined || assignment.team !== undefined, 'name an assignee, a team or both');
export type CaseAssignment = z.output<typeof CASE_ASSIGNMENT>;

export const CASE_LIST_QUERY = z
  .object({
    status: z.enum(['open', 'closed']).optional(),
    sort: z.enum(['created', '-created', 'updated', '-updated', 'title', '-title']).default('-created'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();
export type CaseListQuery = z.output<typeof CASE_LIST_QUERY>;
