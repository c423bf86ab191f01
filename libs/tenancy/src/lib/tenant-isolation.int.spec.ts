import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAppDataSource, prepareDatabase } from '@veilig/platform-database';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import { Query, type PoolClient } from 'pg';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantContext, TenantContextMissingError } from './tenant-context.js';
import { FirstQueryNotSupportedError } from './tenant-statement.js';
import { TenantScope, TenantScopeConflictError, TenantTransactionAbortedError } from './tenant-transaction.js';
import { ExampleTenantTables1765000000000, Note } from './testing/example-tenant-tables.js';

const TENANT_A = randomUUID();
const TENANT_B = randomUUID();
const ALICE = randomUUID();
const BOB = randomUUID();
const NOTES_PER_TENANT = 30;

const asAlice = <T>(work: () => T): T => TenantContext.run({ tenantId: TENANT_A, actorId: ALICE }, work);
const asBob = <T>(work: () => T): T => TenantContext.run({ tenantId: TENANT_B, actorId: BOB }, work);

interface NoteRow {
  id: string;
  tenant_id: string;
  title: string;
}

describe('tenant isolation on PostgreSQL', () => {
  let database: TestDatabase;
  let dataDir: string;
  let appUrl: string;
  const opened: DataSource[] = [];

  /**
   * The application's pool as openAppDataSource opens it, or one made with node-postgres's
   * `pipeline: true` that also has TypeORM's old default for `where` on an undefined value.
   */
  async function open(options: { pipeline: boolean; poolSize: number }): Promise<DataSource> {
    const dataSource = options.pipeline
      ? await new DataSource({
          type: 'postgres',
          url: appUrl,
          entities: [Note],
          poolSize: options.poolSize,
          extra: { pipeline: true },
          invalidWhereValuesBehavior: { undefined: 'ignore' },
        }).initialize()
      : await openAppDataSource({ url: appUrl, entities: [Note], poolSize: options.poolSize });
    opened.push(dataSource);
    return dataSource;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'veilig-tenancy-'));
    appUrl = await prepareDatabase({
      migrationUrl: database.migrationUrl,
      appUrl: undefined,
      appRole: database.appRole,
      dataDir,
      migrations: [ExampleTenantTables1765000000000],
      logger: pino({ level: 'silent' }),
    });
    const seeding = new TenantScope(await open({ pipeline: false, poolSize: 2 }));
    for (const [as, prefix] of [[asAlice, 'A'], [asBob, 'B']] as const) {
      await as(() =>
        seeding.query(
          `INSERT INTO notes (title, created_at)
           SELECT $1 || '-' || lpad(n::text, 2, '0'), now() - n * interval '1 minute' FROM generate_series(1, $2) n`,
          [prefix, NOTES_PER_TENANT],
        ),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(opened.map((dataSource) => dataSource.destroy()));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe.each([
    { mode: 'pipelined', pipeline: true },
    { mode: 'not pipelined', pipeline: false },
  ])('through TenantScope, $mode', ({ pipeline }) => {
    let dataSource: DataSource;
    let scope: TenantScope;
    let bobsNote: NoteRow;

    beforeAll(async () => {
      dataSource = await open({ pipeline, poolSize: 10 });
      scope = new TenantScope(dataSource);
      [bobsNote] = await asBob(() => scope.query<NoteRow>("SELECT id, tenant_id, title FROM notes WHERE title = 'B-01'"));
    });

    it('[SE-6.2] lists, counts, aggregates and pages only the tenant\'s own rows, whatever the filter or sort', async () => {
      await asAlice(() =>
        scope.run(async (manager) => {
          const notes = manager.getRepository(Note);
          const all = await notes.find();
          expect(all).toHaveLength(NOTES_PER_TENANT);
          expect(all.every((note) => note.tenantId === TENANT_A && note.title.startsWith('A-'))).toBe(true);
          expect(await notes.count()).toBe(NOTES_PER_TENANT);
          const page = await notes.find({ order: { title: 'DESC' }, skip: 25, take: 10 });
          expect(page.map((note) => note.title)).toEqual(['A-05', 'A-04', 'A-03', 'A-02', 'A-01']);
          // Where TypeORM drops a filter on an undefined value, row-level security still holds.
          if (pipeline) expect(await notes.count({ where: { tenantId: undefined } })).toBe(NOTES_PER_TENANT);
        }),
      );
      const [aggregate] = await asAlice(() =>
        scope.query<{ count: string; tenants: string; titles: string }>(
          "SELECT count(*) AS count, count(DISTINCT tenant_id) AS tenants, string_agg(left(title, 1), '' ORDER BY title) AS titles FROM notes",
        ),
      );
      expect(aggregate).toEqual({ count: String(NOTES_PER_TENANT), tenants: '1', titles: 'A'.repeat(NOTES_PER_TENANT) });
      const filtered = await asAlice(() =>
        scope.query("SELECT id FROM notes WHERE title LIKE 'B-%' OR tenant_id = $1 ORDER BY created_at LIMIT 100 OFFSET 0", [TENANT_B]),
      );
      expect(filtered).toEqual([]);
    });

    it('[SE-6.2] cannot read, update or delete another tenant\'s row, even knowing its id', async () => {
      await asAlice(() =>
        scope.run(async (manager) => {
          expect(await manager.getRepository(Note).findOneBy({ id: bobsNote.id })).toBeNull();
          expect((await manager.getRepository(Note).update({ id: bobsNote.id }, { title: 'taken over' })).affected).toBe(0);
          expect((await manager.getRepository(Note).delete({ id: bobsNote.id })).affected).toBe(0);
        }),
      );
      expect(await asAlice(() => scope.query('UPDATE notes SET title = $2 WHERE id = $1 RETURNING id', [bobsNote.id, 'taken over']))).toEqual([]);
      expect(await asAlice(() => scope.query('DELETE FROM notes WHERE id = $1 RETURNING id', [bobsNote.id]))).toEqual([]);
      expect(await asBob(() => scope.query<NoteRow>('SELECT id, tenant_id, title FROM notes WHERE id = $1', [bobsNote.id]))).toEqual([bobsNote]);
    });

    it('[SE-6.2] refuses to write a row into another tenant, or to move one there', async () => {
      await expect(asAlice(() => scope.query("INSERT INTO notes (tenant_id, title) VALUES ($1, 'planted')", [TENANT_B]))).rejects.toThrow(
        /row-level security/,
      );
      const [own] = await asAlice(() => scope.query<NoteRow>("INSERT INTO notes (title) VALUES ('mine') RETURNING id, tenant_id, title"));
      expect(own!.tenant_id).toBe(TENANT_A);
      await expect(asAlice(() => scope.query('UPDATE notes SET tenant_id = $2 WHERE id = $1', [own!.id, TENANT_B]))).rejects.toThrow(
        /row-level security/,
      );
      expect(await asBob(() => scope.query("SELECT id FROM notes WHERE title IN ('planted', 'mine')"))).toEqual([]);
      await asAlice(() => scope.query('DELETE FROM notes WHERE id = $1', [own!.id]));
    });

    it('[SE-6.2] cannot reference another tenant\'s row, and cannot tell it exists', async () => {
      const comment = (noteId: string) => asAlice(() => scope.query("INSERT INTO note_comments (note_id, body) VALUES ($1, 'hi') RETURNING tenant_id", [noteId]));
      const [ownNote] = await asAlice(() => scope.query<NoteRow>("SELECT id FROM notes WHERE title = 'A-01'"));
      expect(await comment(ownNote!.id)).toEqual([{ tenant_id: TENANT_A }]);
      const refusal = async (noteId: string) => (await comment(noteId).catch((error: unknown) => error)) as { code?: string; message: string };
      const existing = await refusal(bobsNote.id);
      const missing = await refusal(randomUUID());
      expect(existing.code).toBe('23503');
      expect(missing.code).toBe('23503');
      expect(existing.message).toBe(missing.message);
    });

    it('[SE-6.2] gives the tenant\'s new rows its tenant_id without feature code setting it', async () => {
      const saved = await asAlice(() => scope.run((manager) => manager.getRepository(Note).save({ title: 'saved by TypeORM' })));
      const [row] = await asAlice(() => scope.query<NoteRow>('SELECT tenant_id FROM notes WHERE id = $1', [saved.id]));
      expect(row!.tenant_id).toBe(TENANT_A);
      await asAlice(() => scope.query('DELETE FROM notes WHERE id = $1', [saved.id]));
    });

    it('[SE-6.2] without a tenant context, sees no rows and writes none', async () => {
      expect(await dataSource.query('SELECT count(*)::int AS count FROM notes')).toEqual([{ count: 0 }]);
      await expect(dataSource.query("INSERT INTO notes (tenant_id, title) VALUES ($1, 'orphan')", [TENANT_A])).rejects.toThrow(/row-level security/);
      await expect(dataSource.query("INSERT INTO notes (title) VALUES ('orphan')")).rejects.toThrow(/row-level security/);
      expect(await dataSource.query("UPDATE notes SET title = 'x' RETURNING id")).toEqual([[], 0]);
      expect(await dataSource.query('DELETE FROM notes RETURNING id')).toEqual([[], 0]);
      await expect(scope.run(async () => 'never')).rejects.toThrow(TenantContextMissingError);
      await expect(scope.query('SELECT 1')).rejects.toThrow(TenantContextMissingError);
    });

    it('[SE-6.2] keeps 200 interleaved transactions of two tenants on one pool apart, row by row', async () => {
      const work = Array.from({ length: 200 }, (_, index) => {
        const [as, tenantId, actorId, prefix] = index % 2 === 0 ? [asAlice, TENANT_A, ALICE, 'A-'] : [asBob, TENANT_B, BOB, 'B-'];
        const check = (rows: ReadonlyArray<{ tenant_id: string; title: string; setting: string; actor: string }>) => {
          expect(rows).toHaveLength(NOTES_PER_TENANT);
          for (const row of rows) expect(row).toMatchObject({ tenant_id: tenantId, setting: tenantId, actor: actorId, title: expect.stringMatching(`^${prefix}`) });
        };
        // pg_sleep stretches every query, so the transactions of both tenants overlap on the pool.
        const sql = `SELECT tenant_id, title, current_setting('app.tenant_id') AS setting, current_setting('app.actor_id') AS actor, pg_sleep(random() / 2000)
                       FROM notes`;
        return as(async () => {
          if (index % 4 < 2) {
            check(await scope.query(sql));
          } else {
            await scope.run(async (manager) => {
              check(await manager.query(sql));
              await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
              check(await manager.query(sql));
            });
          }
        });
      });
      await Promise.all(work);
    });

    it('[SE-6.2] hands a pooled connection back without the tenant, whatever the work did', async () => {
      const single = new TenantScope(await open({ pipeline, poolSize: 1 }));
      const [pooled] = opened.slice(-1);
      const leftover = async () => (await pooled!.query("SELECT current_setting('app.tenant_id', true) AS tenant, count(*)::int AS notes FROM notes"))[0];
      await asAlice(() => single.run(async (manager) => manager.query('SELECT 1')));
      expect(await leftover()).toEqual({ tenant: '', notes: 0 });
      await expect(asAlice(() => single.run(async () => Promise.reject(new Error('work failed'))))).rejects.toThrow('work failed');
      expect(await leftover()).toEqual({ tenant: '', notes: 0 });
      await expect(asAlice(() => single.query('SELECT 1/0'))).rejects.toThrow(/division by zero/);
      expect(await leftover()).toEqual({ tenant: '', notes: 0 });
      await expect(asAlice(() => single.run((manager) => manager.query('SELECT 1/0')))).rejects.toThrow(/division by zero/);
      expect(await leftover()).toEqual({ tenant: '', notes: 0 });
      await expect(asAlice(() => single.run(async () => 'no query at all'))).resolves.toBe('no query at all');
      expect(await leftover()).toEqual({ tenant: '', notes: 0 });
      const afterOwnCommit = await asAlice(() =>
        single.run(async (manager) => {
          await manager.query('COMMIT');
          return manager.query('SELECT count(*)::int AS notes FROM notes');
        }),
      );
      expect(afterOwnCommit).toEqual([{ notes: 0 }]);
      expect(await leftover()).toEqual({ tenant: '', notes: 0 });
    });

    it('commits the work as a whole or not at all, and TypeORM nests savepoints in it', async () => {
      const titles = async () =>
        (await asAlice(() => scope.query<{ title: string }>("SELECT title FROM notes WHERE title LIKE 'tx-%' ORDER BY title"))).map((row) => row.title);
      await expect(
        asAlice(() =>
          scope.run(async (manager) => {
            await manager.getRepository(Note).save({ title: 'tx-thrown' });
            throw new Error('after the write');
          }),
        ),
      ).rejects.toThrow('after the write');
      await asAlice(() =>
        scope.run(async (manager) => {
          await manager.getRepository(Note).save({ title: 'tx-outer' });
          await manager
            .transaction(async (inner) => {
              await inner.getRepository(Note).save({ title: 'tx-inner' });
              throw new Error('inner fails');
            })
            .catch(() => undefined);
        }),
      );
      await expect(
        asAlice(() =>
          scope.run(async (manager) => {
            await manager.getRepository(Note).save({ title: 'tx-swallowed' });
            await manager.query('SELECT 1/0').catch(() => undefined);
          }),
        ),
      ).rejects.toThrow(TenantTransactionAbortedError);
      expect(await titles()).toEqual(['tx-outer']);
      await asAlice(() => scope.query("DELETE FROM notes WHERE title LIKE 'tx-%'"));
    });

    it('[SE-6.2] sends atCommit statements with the COMMIT, in the tenant, and drops them with work that fails', async () => {
      const titles = async () =>
        (await asAlice(() => scope.query<{ title: string }>("SELECT title FROM notes WHERE title LIKE 'at-commit-%' ORDER BY title"))).map((row) => row.title);
      await asAlice(() =>
        scope.run(async () => {
          await scope.atCommit("INSERT INTO notes (title) VALUES ($1)", ['at-commit-queued']);
          // Not there yet: it travels with the COMMIT.
          expect(await scope.query("SELECT title FROM notes WHERE title = 'at-commit-queued'")).toEqual([]);
        }),
      );
      await asAlice(() => scope.run(async () => scope.atCommit("INSERT INTO notes (title) VALUES ($1)", ['at-commit-only'])));
      await expect(
        asAlice(() =>
          scope.run(async () => {
            await scope.atCommit("INSERT INTO notes (title) VALUES ($1)", ['at-commit-dropped']);
            throw new Error('the work fails');
          }),
        ),
      ).rejects.toThrow('the work fails');
      await expect(asAlice(() => scope.run(async () => scope.atCommit('INSERT INTO notes (title) VALUES (NULL)', [])))).rejects.toThrow(/null value/);
      await asAlice(() => scope.atCommit("INSERT INTO notes (title) VALUES ($1)", ['at-commit-outside']));
      expect(await titles()).toEqual(['at-commit-only', 'at-commit-outside', 'at-commit-queued']);
      expect(await asBob(() => scope.query("SELECT title FROM notes WHERE title LIKE 'at-commit-%'"))).toEqual([]);
      await asAlice(() => scope.query("DELETE FROM notes WHERE title LIKE 'at-commit-%'"));
    });

    it('joins a nested run or query to the open transaction, and refuses to nest another tenant', async () => {
      const pids = await asAlice(() =>
        scope.run(async (manager) => {
          const [viaQuery] = await scope.query('SELECT pg_backend_pid() AS pid, txid_current() AS tx');
          const [outer] = await manager.query('SELECT pg_backend_pid() AS pid, txid_current() AS tx');
          const inner = await scope.run(async (nested) => (await nested.query('SELECT pg_backend_pid() AS pid, txid_current() AS tx'))[0]);
          return [viaQuery, outer, inner];
        }),
      );
      expect(new Set(pids.map((row) => JSON.stringify(row))).size).toBe(1);
      await expect(asAlice(() => scope.run(async () => asBob(() => scope.query('SELECT 1'))))).rejects.toThrow(TenantScopeConflictError);
    });

    it('[SE-6.2] refuses to open a tenant transaction with a stream, which could not carry the tenant settings', async () => {
      await expect(
        asAlice(() =>
          scope.run(async (manager) => {
            const connection = (await manager.queryRunner!.connect()) as PoolClient;
            connection.query(new Query('SELECT count(*) FROM notes'));
          }),
        ),
      ).rejects.toThrow(FirstQueryNotSupportedError);
    });

    it('sends a query as exactly one statement', async () => {
      await expect(asAlice(() => scope.query('SELECT 1; COMMIT'))).rejects.toThrow(/multiple commands/);
    });
  });
});
