import { sign, verify, type KeyObject } from 'node:crypto';
import { SYSTEM_ACTOR_ID, type AuditEvent, type ChainedAuditEvent } from '../model/audit-event.js';
import type { AuditWriter } from '../writer/audit-writer.js';
import { inTenantContext } from '../writer/in-tenant-context.js';
import { canonicalJson } from './canonical-json.js';
import { GENESIS_HASH } from './chain-hash.js';

export class AuditCheckpointError extends Error {
  override readonly name = 'AuditCheckpointError';
}

/** What a checkpoint signs; tenant and key id are included so a signature cannot be moved to another chain or key. */
export interface AuditCheckpointStatement {
  readonly tenantId: string;
  readonly checkpointSequence: number;
  readonly checkpointHash: string;
  readonly keyId: string;
}

/**
 * The signed bytes: the canonical JSON (chain/canonical-json.ts) of the statement with a fixed
 * `purpose`, e.g. {"checkpointHash":"…","checkpointSequence":42,"keyId":"k1","purpose":"veilig-audit-checkpoint-v1","tenantId":"…"}.
 */
export function auditCheckpointPayload(statement: AuditCheckpointStatement): Buffer {
  const { tenantId, checkpointSequence, checkpointHash, keyId } = statement;
  return Buffer.from(canonicalJson({ purpose: 'veilig-audit-checkpoint-v1', tenantId, checkpointSequence, checkpointHash, keyId }), 'utf8');
}

/**
 * Records an `audit.checkpoint` event stating, under an Ed25519 signature, the sequence and hash
 * of the tenant's chain head at this moment. Once forwarded, it lets the customer's SIEM prove
 * that a chain later found shorter, or different up to that point, was cut or rewritten — which
 * the chain alone cannot show for its own tail.
 */
export async function createCheckpoint(writer: AuditWriter, tenantId: string, signingKey: KeyObject, keyId: string): Promise<ChainedAuditEvent> {
  if (signingKey.type !== 'private' || signingKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditCheckpointError('An audit checkpoint is signed with an Ed25519 private key.');
  }
  if (keyId.length === 0) throw new AuditCheckpointError('An audit checkpoint names the key it is signed with (keyId).');
  return inTenantContext(tenantId, SYSTEM_ACTOR_ID, () =>
    writer.scope.run(async () => {
      const [head] = await writer.scope.query<{ last_sequence: string; last_hash: string }>(
        `SELECT last_sequence, encode(last_hash, 'hex') AS last_hash FROM audit_chain_head()`,
      );
      const statement: AuditCheckpointStatement = {
        tenantId: tenantId.toLowerCase(),
        checkpointSequence: head ? Number(head.last_sequence) : 0,
        checkpointHash: head?.last_hash ?? GENESIS_HASH,
        keyId,
      };
      const signature = sign(null, auditCheckpointPayload(statement), signingKey).toString('base64');
      return writer.recordChained({
        tenantId: statement.tenantId,
        action: 'audit.checkpoint',
        outcome: 'success',
        actor: { type: 'system' },
        details: { checkpointSequence: statement.checkpointSequence, checkpointHash: statement.checkpointHash, signature, keyId },
      });
    }),
  );
}

/**
 * Whether `event` is an `audit.checkpoint` whose signature `publicKey` (Ed25519) verifies over
 * its tenant, sequence, hash and key id.
 */
export function verifyCheckpoint(event: AuditEvent, publicKey: KeyObject): boolean {
  const details = event.details ?? {};
  const { checkpointSequence, checkpointHash, signature, keyId } = details;
  if (
    event.action !== 'audit.checkpoint' ||
    typeof checkpointSequence !== 'number' ||
    typeof checkpointHash !== 'string' ||
    typeof signature !== 'string' ||
    typeof keyId !== 'string'
  ) {
    return false;
  }
  const payload = auditCheckpointPayload({ tenantId: event.tenantId, checkpointSequence, checkpointHash, keyId });
  return verify(null, payload, publicKey, Buffer.from(signature, 'base64'));
}
