import { readFileSync } from 'node:fs';
import { isUuid } from '@veilig/tenancy';
import { z } from 'zod';

export class DedicatedDatabasesFileError extends Error {
  override readonly name = 'DedicatedDatabasesFileError';
}

const postgresUrl = z.string().refine((value) => URL.canParse(value) && ['postgres:', 'postgresql:'].includes(new URL(value).protocol), 'must be a postgres:// URL');
const FILE = z
  .record(z.string(), z.object({ migrationUrl: postgresUrl, appUrl: postgresUrl.optional() }).strict())
  .superRefine((entries, context) => {
    for (const key of Object.keys(entries)) {
      if (!isUuid(key)) context.addIssue({ code: 'custom', path: [key], message: 'keys are tenant ids (UUIDs)' });
    }
  });

export type DedicatedDatabaseFile = z.output<typeof FILE>;

/**
 * Reads DEDICATED_DATABASES_FILE. Every problem is listed at once, naming the tenant and the
 * field but never a URL, which carries a password. In production each entry needs its appUrl,
 * as the shared database does.
 */
export function loadDedicatedDatabases(path: string, production: boolean): DedicatedDatabaseFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DedicatedDatabasesFileError(`DEDICATED_DATABASES_FILE ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = FILE.safeParse(json);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
  if (parsed.success && production) {
    for (const [tenantId, entry] of Object.entries(parsed.data)) {
      if (!entry.appUrl) problems.push(`${tenantId}.appUrl: required in production (the application connects as its own role)`);
    }
  }
  if (problems.length > 0) throw new DedicatedDatabasesFileError(`DEDICATED_DATABASES_FILE ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return parsed.data!;
}
