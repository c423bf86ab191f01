import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@veilig/platform-testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the operator command line (npm run cli)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let owner: pg.Client;

  /** The CLI as an operator runs it on the server: its own process, configured by the environment. */
  const cli = (...args: string[]): Promise<CliResult> =>
    new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', '@swc-node/register/esm-register', 'apps/api/src/cli.ts', ...args, '--operator', 'beheerder@server'],
        {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: process.env['HOME'] ?? '',
            NODE_ENV: 'test',
            DATA_DIR: dataDir,
            DATABASE_URL: database.migrationUrl,
            DATABASE_APP_ROLE: database.appRole,
            LOG_LEVEL: 'warn',
          },
        },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const events = async (tenantSlug: string) =>
    (
      await owner.query<{ action: string; actor: { operator?: string }; details: Record<string, unknown> | null }>(
        `SELECT event->>'action' AS action, event->'actor' AS actor, event->'details' AS details
           FROM audit_events WHERE tenant_id = (SELECT id FROM tenants WHERE slug = $1) ORDER BY sequence`,
        [tenantSlug],
      )
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'veilig-cli-'));
    expect((await cli('tenant:add', '--slug', 'stichting-c', '--name', 'Stichting C', '--mode', 'local-2fa')).code).toBe(0);
    owner = new pg.Client({ connectionString: database.migrationUrl });
    await owner.connect();
  });
  afterAll(async () => {
    await owner?.end();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('[SE-4.1] [SE-3.2] makes the first tenant admin of a local tenant, audited with the operator\'s name, and lists them in the access review', async () => {
    const added = await cli('user:add', '--tenant', 'stichting-c', '--email', 'beheer@stichting-c.example', '--role', 'tenant-admin');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/One-time password \(shown once\): \S{20,}/);
    expect(added.stdout).toContain('role tenant-admin granted');
    const review = await cli('access:review', '--tenant', 'stichting-c', '--format', 'csv');
    expect(review.code).toBe(0);
    const lines = review.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('user_id,display_name,email,idp_subject,last_login_at,roles,permissions');
    expect(lines[1]).toContain('beheer@stichting-c.example');
    expect(lines[1]).toContain('tenant-admin (in-app)');
    const audited = await events('stichting-c');
    expect(audited).toContainEqual(expect.objectContaining({ action: 'tenant.created', actor: expect.objectContaining({ operator: 'beheerder@server' }) }));
    expect(audited).toContainEqual(expect.objectContaining({ action: 'authz.role.granted', actor: expect.objectContaining({ operator: 'beheerder@server' }) }));
  });

  it('[SE-3.2] adds, lists and removes a SIEM destination and sets the retention, each change audited', async () => {
    const added = await cli('audit:destination:add', '--tenant', 'stichting-c', '--name', 'lokaal', '--kind', 'file', '--file-name', 'stichting-c.jsonl');
    expect(added.code).toBe(0);
    const listed = await cli('audit:destination:list', '--tenant', 'stichting-c');
    expect(listed.stdout).toMatch(/^lokaal\tfile\tjson\tenabled\tdelivered up to #0\tok$/m);
    expect((await cli('audit:retention', '--tenant', 'stichting-c', '--days', '730')).code).toBe(0);
    expect((await cli('audit:destination:remove', '--tenant', 'stichting-c', '--name', 'lokaal')).code).toBe(0);
    const changes = (await events('stichting-c')).filter((event) => event.action === 'config.changed');
    expect(changes.map((event) => event.details?.['change'] ?? 'retention')).toEqual(['added', 'retention', 'removed']);
  });

  it('[SE-3.2] refuses bad input with a clear message and exit code, never a stack trace', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['audit:retention', '--tenant', 'stichting-c', '--days', '30'], 1, /at least 180|from 180/],
      [['audit:destination:add', '--tenant', 'stichting-c', '--name', 'x', '--kind', 'syslog-tls', '--host', 'siem.example', '--port', '6514'], 1, /caPem/],
      [['role:grant', '--tenant', 'stichting-c', '--email', 'beheer@stichting-c.example', '--role', 'superuser'], 1, /no role named "superuser"/],
      [['role:grant', '--tenant', 'nergens', '--email', 'a@b.example', '--role', 'member'], 1, /no tenant "nergens"/],
      [['tenant:add', '--slug', 'x'], 2, /--name is required/],
      [['no-such-command'], 2, /unknown command/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('[SE-3.2] verifies the audit chain, and exits 3 naming the row after an edit beneath the application', async () => {
    const intact = await cli('audit:verify', '--tenant', 'stichting-c');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit chain of stichting-c intact: \d+ event\(s\)/);
    await owner.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await owner.query(`UPDATE audit_events SET event = jsonb_set(event, '{outcome}', '"failure"') WHERE sequence = 2 AND tenant_id = (SELECT id FROM tenants WHERE slug = 'stichting-c')`);
    await owner.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    const broken = await cli('audit:verify', '--tenant', 'stichting-c');
    expect(broken.code).toBe(3);
    expect(broken.stdout).toContain('BROKEN at sequence 2');
  });

  it('[SE-6.2] [SE-3.2] suspends and reactivates a tenant, and refuses to bring back a terminated one', async () => {
    expect((await cli('tenant:add', '--slug', 'stichting-weg', '--name', 'Stichting Weg', '--mode', 'local-2fa')).code).toBe(0);
    expect((await cli('tenant:set-status', '--tenant', 'stichting-weg', '--status', 'suspended')).stdout).toContain('is suspended');
    expect((await cli('tenant:set-status', '--tenant', 'stichting-weg', '--status', 'terminated')).code).toBe(0);
    const back = await cli('tenant:set-status', '--tenant', 'stichting-weg', '--status', 'active');
    expect(back.code).toBe(1);
    expect(back.stderr).toContain('cannot be undone');
    const changes = (await events('stichting-weg')).filter((event) => event.action === 'tenant.status.changed');
    expect(changes).toHaveLength(3);
    expect((await owner.query("SELECT status FROM tenants WHERE slug = 'stichting-weg'")).rows).toEqual([{ status: 'terminated' }]);
  });

  it('[SE-3.2] prints the public key that verifies the signed checkpoints', async () => {
    const key = await cli('audit:checkpoint-key');
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^key id [0-9a-f]{16} \(Ed25519\)/);
    expect(key.stdout).toContain('-----BEGIN PUBLIC KEY-----');
    expect(readFileSync(join(dataDir, 'audit-signing-key.pem'), 'utf8')).toContain('PRIVATE KEY');
  });
});
