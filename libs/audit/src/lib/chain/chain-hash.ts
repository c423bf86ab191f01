import { createHash } from 'node:crypto';

/** The previous hash of a chain's first event: 32 zero bytes, in hex. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash = sha256(previous hash bytes || UTF-8 bytes of the canonical event text), in hex. The
 * database trigger computes the same (`sha256(previous || convert_to(canonical, 'UTF8'))`);
 * this is the independent recomputation that verification relies on.
 */
export function chainHash(previousHash: string, canonical: string): string {
  return createHash('sha256').update(Buffer.from(previousHash, 'hex')).update(canonical, 'utf8').digest('hex');
}
