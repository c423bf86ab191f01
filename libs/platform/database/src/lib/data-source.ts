import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

export interface AppDataSourceOptions {
  readonly url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own entity list type
  readonly entities?: MixedList<Function | string | EntitySchema>;
  readonly poolSize?: number;
}

/** The application's connection pool, as the least-privileged application role. Never synchronizes schema. */
export async function openAppDataSource(options: AppDataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities ?? [],
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    extra: { application_name: 'veilig-api', connectionTimeoutMillis: 5_000 },
  });
  return dataSource.initialize();
}
