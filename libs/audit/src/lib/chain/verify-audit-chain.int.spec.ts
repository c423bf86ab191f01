import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@veilig/platform-testing';
import { TenantScope } from '@veilig/tenancy';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_MIGRATIONS } from '../migrations/index.js';
import type { AuditEvent } from '../model/audit-event.js';
import { AuditWriter } from '../writer/audit-writer.js';
import { AuditCheckpointError, createCheckpoint, verifyCheckpoint } from './audit-checkpoint.js';
import { canonicalJson } from './canonical-json.js';
import { chainHash } from './chain-hash.js';
import { verifyAuditChain } from './verify-audit-chain.js';

describe('verifyAuditChain and checkpoints on PostgreSQL', () => {
  let db: MigratedTestDatabase;
  let owner: Client;
  let writer: AuditWriter;

  async function chainOf(length: number): Promise<string> {
    const tenantId = randomUUID();
    for (let start = 0; start < length; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, length - start) }, (_, n) =>
          writer.record({
            tenantId,
            action: 'data.viewed',
            outcome: 'success',
            actor: { type: 'user', userId: randomUUID() },
            target: { type: 'dossier', id: String(start + n) },
          }),
        ),
      );
    }
    return tenantId;
  }

  /** Changes rows as the owner would, past the append-only trigger: what an attacker with the database could do. */
  async function tamper(sql: string, parameters: unknown[]): Promise<void> {
    await owner.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    try {
      await owner.query(sql, parameters);
    } finally {
      await owner.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    }
  }

  beforeAll(async () => {
    db = await createMigratedTestDatabase(AUDIT_MIGRATIONS);
    owner = new Client({ connectionString: db.database.migrationUrl });
    await owner.connect();
    writer = new AuditWriter(new TenantScope(db.app));
  });
  afterAll(async () => {
    await owner?.end();
    await db?.close();
  });

  it('[SE-3.2] verifies a clean chain of 500 events as the application role, in one page or in many', async () => {
    const tenant = await chainOf(500);
    const whole = await verifyAuditChain(db.app, tenant);
    expect(whole).toMatchObject({ ok: true, lastSequence: 500 });
    expect(await verifyAuditChain(db.app, tenant, { pageSize: 64 })).toEqual(whole);
    expect(await verifyAuditChain(db.app, tenant, { from: 321, pageSize: 64 })).toEqual(whole);
  });

  it('[SE-3.2] fails at the row whose event was altered', async () => {
    const tenant = await chainOf(20);
    await tamper(`UPDATE audit_events SET event = jsonb_set(event, '{outcome}', '"denied"') WHERE tenant_id = $1 AND sequence = 7`, [tenant]);
    expect(await verifyAuditChain(db.app, tenant)).toEqual({
      ok: false,
      sequence: 7,
      problem: 'its event document differs from the canonical text that was hashed',
    });
  });

  it('[SE-3.2] fails at the row whose hashed text was altered, and after a rewrite with a fresh hash, at the row that follows', async () => {
    const tenant = await chainOf(20);
    await tamper(`UPDATE audit_events SET canonical = replace(canonical, '"success"', '"failure"') WHERE tenant_id = $1 AND sequence = 4`, [tenant]);
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: false, sequence: 4, problem: /hash is not sha256/ });

    const rewritten = await chainOf(20);
    const { rows } = await owner.query<{ event: AuditEvent; previous_hash: string }>(
      `SELECT event, encode(previous_hash, 'hex') AS previous_hash FROM audit_events WHERE tenant_id = $1 AND sequence = 5`,
      [rewritten],
    );
    const forged = canonicalJson({ ...rows[0]!.event, outcome: 'failure' });
    await tamper(`UPDATE audit_events SET canonical = $2::text, event = $2::jsonb, outcome = 'failure', hash = decode($3, 'hex') WHERE tenant_id = $1 AND sequence = 5`, [
      rewritten,
      forged,
      chainHash(rows[0]!.previous_hash, forged),
    ]);
    expect(await verifyAuditChain(db.app, rewritten)).toEqual({ ok: false, sequence: 6, problem: 'its previous hash is not the hash of sequence 5' });
  });

  it('[SE-3.2] fails at the gap where a row was deleted', async () => {
    const tenant = await chainOf(20);
    await tamper('DELETE FROM audit_events WHERE tenant_id = $1 AND sequence = 10', [tenant]);
    expect(await verifyAuditChain(db.app, tenant)).toEqual({ ok: false, sequence: 10, problem: 'sequence 10 is missing (the next row is 11)' });
  });

  it('[SE-3.2] notices rows cut off the end of the chain', async () => {
    const tenant = await chainOf(20);
    await tamper('DELETE FROM audit_events WHERE tenant_id = $1 AND sequence > 18', [tenant]);
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: false, sequence: 19, problem: /rows after 18 are missing/ });
  });

  it('[SE-3.2] signs a checkpoint of the chain head with Ed25519 that verifies, and fails once altered or under another key', async () => {
    const tenant = await chainOf(12);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const before = await verifyAuditChain(db.app, tenant);
    const checkpoint = await createCheckpoint(writer, tenant, privateKey, 'audit-2026-1');
    expect(before).toMatchObject({ ok: true, lastSequence: 12 });
    expect(checkpoint).toMatchObject({ sequence: 13, event: { action: 'audit.checkpoint', tenantId: tenant } });
    expect(checkpoint.event.details).toMatchObject({
      checkpointSequence: 12,
      checkpointHash: before.ok ? before.lastHash : '',
      keyId: 'audit-2026-1',
      signature: expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/),
    });
    expect(verifyCheckpoint(checkpoint.event, publicKey)).toBe(true);
    expect(verifyCheckpoint({ ...checkpoint.event, details: { ...checkpoint.event.details, checkpointSequence: 11 } }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint.event, tenantId: randomUUID() }, publicKey)).toBe(false);
    expect(verifyCheckpoint(checkpoint.event, generateKeyPairSync('ed25519').publicKey)).toBe(false);
    expect(await verifyAuditChain(db.app, tenant)).toMatchObject({ ok: true, lastSequence: 13 });
  });

  it('[SE-3.2] shows through a forwarded checkpoint a tail cut off together with the chain head', async () => {
    const tenant = await chainOf(10);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await createCheckpoint(writer, tenant, privateKey, 'k1');
    const forwarded = await createCheckpoint(writer, tenant, privateKey, 'k1');
    await tamper('DELETE FROM audit_events WHERE tenant_id = $1 AND sequence > 10', [tenant]);
    await owner.query(
      `UPDATE audit_chain_heads SET last_sequence = 10, last_hash = (SELECT hash FROM audit_events WHERE tenant_id = $1 AND sequence = 10)
        WHERE tenant_id = $1`,
      [tenant],
    );
    const remaining = await verifyAuditChain(db.app, tenant);
    expect(remaining).toMatchObject({ ok: true, lastSequence: 10 });
    expect(verifyCheckpoint(forwarded.event, publicKey)).toBe(true);
    expect(forwarded.event.details?.['checkpointSequence']).toBe(11);
  });

  it('[SE-3.2] refuses to sign a checkpoint with anything but an Ed25519 private key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ed25519 = generateKeyPairSync('ed25519');
    await expect(createCheckpoint(writer, randomUUID(), privateKey, 'k')).rejects.toThrow(AuditCheckpointError);
    await expect(createCheckpoint(writer, randomUUID(), ed25519.publicKey, 'k')).rejects.toThrow(AuditCheckpointError);
  });
});
