import { inject } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL superuser URL from test/support/global-setup.ts; every test file makes its own database on it. */
    adminDatabaseUrl: string;
  }
}

export type TestDatabase = ScratchDatabase;

export function createTestDatabase(): Promise<TestDatabase> {
  return createScratchDatabase(inject('adminDatabaseUrl'), 'veilig_test');
}
