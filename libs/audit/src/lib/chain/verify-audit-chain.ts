import { TenantContext, TenantScope, type TenantDataSources } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_ID, type AuditEvent } from '../model/audit-event.js';
import { canonicalJson } from './canonical-json.js';
import { chainHash, GENESIS_HASH } from './chain-hash.js';

export type AuditChainVerification =
  | { readonly ok: true; readonly lastSequence: number; readonly lastHash: string }
  | { readonly ok: false; readonly sequence: number; readonly problem: string };

export interface VerifyAuditChainOptions {
  /**
   * Verify from this sequence on, trusting the stored hash of the row before it (for example the
   * `lastSequence + 1` of an earlier verification); unset: from the chain's start or anchor.
   */
  readonly from?: number;
  /** Rows read per query; memory use is bounded by it. */
  readonly pageSize?: number;
}

interface ChainRow {
  readonly sequence: string;
  readonly id: string;
  readonly action: string;
  readonly outcome: string;
  readonly occurred_at: Date;
  readonly event: AuditEvent;
  readonly canonical: string;
  readonly previous_hash: string;
  readonly hash: string;
}

interface ChainPosition {
  readonly sequence: number;
  readonly hash: string;
}

const PAGE = `
  SELECT sequence, id, action, outcome, occurred_at, event, canonical,
         encode(previous_hash, 'hex') AS previous_hash, encode(hash, 'hex') AS hash
    FROM audit_events WHERE tenant_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT $3`;

/**
 * Recomputes a tenant's audit chain in order (SE-3.2): every sequence present and in a row, each
 * row's previous hash the hash of the row before, each hash sha256(previous || canonical text),
 * and the stored event document and columns the same as the canonical text. Reports the first
 * row that breaks, or the chain's last position. Rows missing from the end show up against the
 * chain head the database keeps. Works as the application role, under row-level security, in a
 * tenant context of `tenantId`; reads in pages, so a chain of any length fits in memory.
 */
export async function verifyAuditChain(
  database: DataSource | TenantDataSources,
  tenantId: string,
  options: VerifyAuditChainOptions = {},
): Promise<AuditChainVerification> {
  const scope = new TenantScope(database);
  return TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, async () => {
    const tenant = TenantContext.current().tenantId;
    const [head] = await scope.query<{ last_sequence: string; last_hash: string }>(
      `SELECT last_sequence, encode(last_hash, 'hex') AS last_hash FROM audit_chain_head()`,
    );
    const start = await startOf(scope, tenant, options.from);
    if ('problem' in start) return start;
    const pageSize = options.pageSize ?? 1_000;
    let expected = start;
    for (;;) {
      const rows = await scope.query<ChainRow>(PAGE, [tenant, expected.sequence + 1, pageSize]);
      for (const row of rows) {
        const problem = rowProblem(row, tenant, expected);
        if (problem) return { ok: false, sequence: expected.sequence + 1, problem };
        expected = { sequence: Number(row.sequence), hash: row.hash };
      }
      if (rows.length < pageSize) break;
    }
    if (head && Number(head.last_sequence) > expected.sequence) {
      return {
        ok: false,
        sequence: expected.sequence + 1,
        problem: `the chain head is at sequence ${head.last_sequence}, but the rows after ${expected.sequence} are missing`,
      };
    }
    if (head && Number(head.last_sequence) === expected.sequence && head.last_hash !== expected.hash) {
      return { ok: false, sequence: expected.sequence, problem: 'the last row is not the one the chain head recorded' };
    }
    return { ok: true, lastSequence: expected.sequence, lastHash: expected.hash };
  });
}

/** The position verification continues from: `from - 1`, the anchor retention left, or the genesis. */
async function startOf(scope: TenantScope, tenant: string, from: number | undefined): Promise<ChainPosition | { ok: false; sequence: number; problem: string }> {
  const [anchor] = await scope.query<{ sequence: string; hash: string }>(
    `SELECT sequence, encode(hash, 'hex') AS hash FROM audit_chain_anchors WHERE tenant_id = $1`,
    [tenant],
  );
  const origin: ChainPosition = anchor ? { sequence: Number(anchor.sequence), hash: anchor.hash } : { sequence: 0, hash: GENESIS_HASH };
  if (from === undefined || from - 1 <= origin.sequence) return origin;
  const [previous] = await scope.query<{ hash: string }>(`SELECT encode(hash, 'hex') AS hash FROM audit_events WHERE tenant_id = $1 AND sequence = $2`, [
    tenant,
    from - 1,
  ]);
  if (!previous) return { ok: false, sequence: from - 1, problem: `sequence ${from - 1}, where verification was asked to start, is missing` };
  return { sequence: from - 1, hash: previous.hash };
}

function rowProblem(row: ChainRow, tenant: string, expected: ChainPosition): string | undefined {
  const sequence = Number(row.sequence);
  if (sequence !== expected.sequence + 1) return `sequence ${expected.sequence + 1} is missing (the next row is ${sequence})`;
  if (row.previous_hash !== expected.hash) return `its previous hash is not the hash of sequence ${expected.sequence}`;
  if (chainHash(row.previous_hash, row.canonical) !== row.hash) return 'its hash is not sha256(previous hash || canonical text)';
  if (canonicalJson(row.event) !== row.canonical) return 'its event document differs from the canonical text that was hashed';
  const { event } = row;
  if (
    event.tenantId !== tenant ||
    event.id !== row.id ||
    event.action !== row.action ||
    event.outcome !== row.outcome ||
    event.occurredAt !== row.occurred_at.toISOString()
  ) {
    return 'its columns differ from its event document';
  }
  return undefined;
}
