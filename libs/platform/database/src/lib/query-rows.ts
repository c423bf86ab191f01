import type { DataSource } from 'typeorm';

/**
 * Runs SQL and returns its rows, whatever the statement: TypeORM's `query` answers
 * `[rows, count]` for UPDATE and DELETE but plain rows for SELECT and INSERT, which would make
 * every caller guess. One query runner per call, as `DataSource.query` itself does.
 */
export async function queryRows<T>(dataSource: DataSource, sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const result = await runner.query(sql, [...parameters], true);
    return result.records as T[];
  } finally {
    await runner.release();
  }
}
