import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs one SQL statement on the data source's pool and returns its rows, whatever the statement.
 * Straight to the pg pool TypeORM keeps (`driver.master`): TypeORM's `query` answers `[rows,
 * count]` for UPDATE and DELETE but plain rows otherwise, and a query runner per statement costs
 * a pool round of its own on the hottest path (the session lookup of every request).
 */
export async function queryRows<T>(dataSource: DataSource, sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  const result = await pool.query(sql, [...parameters]);
  return result.rows as T[];
}
