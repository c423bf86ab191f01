import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { freePort } from '@veilig/platform-testing';
import { startEmbeddedPostgres } from './embedded-postgres.js';

describe('embedded PostgreSQL', () => {
  it('initialises once, keeps its data between runs and needs its generated password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'veilig-embedded-'));
    const port = await freePort();
    const logger = pino({ level: 'silent' });
    try {
      const first = await startEmbeddedPostgres({ dataDir, port, logger });
      const client = new Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (value text)');
      await client.query(`INSERT INTO kept VALUES ('survives a restart')`);
      await client.end();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir, port, logger });
      expect(second.url).toBe(first.url);
      const again = new Client({ connectionString: second.url });
      await again.connect();
      expect((await again.query('SELECT value FROM kept')).rows).toEqual([{ value: 'survives a restart' }]);
      await again.end();
      const wrongPassword = new Client({ connectionString: second.url.replace(/:[^:@]+@/, ':guess@') });
      await expect(wrongPassword.connect()).rejects.toThrow(/password authentication failed/);
      expect(statSync(join(dataDir, 'postgres-superuser-password')).mode & 0o077).toBe(0);
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
