import { Controller, Get, Inject, Module, ParseUUIDPipe, Query, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { Public } from '@veilig/platform-http';
import { DataSource } from 'typeorm';
import { serveBenchmarkTarget } from '../shared/serve-target.js';
import { startVeiligApi } from '../shared/veilig-api-target.js';
import { OWNER_PAGE_SQL } from './case-page-sql.js';

/** The table owner's pool, as large as the kit's own (openAppDataSource's default of 10). */
const OWNER_POOL_SIZE = 10;

/** Nest's injection token for the owner's pool; TypeORM's DataSource class is the kit's own pool's token already. */
const OWNER_DATA_SOURCE = 'bench:owner-data-source';

/**
 * The fairer baseline of the full-path benchmark: the page as the table owner reads it, served
 * by the very same HTTP stack as GET /api/cases (TLS, security headers, Host check, request id,
 * access log, NestJS on Fastify), but public: no session lookup, no permission guard, no tenant
 * transaction, no row-level security. The tenant comes from the query string.
 */
@Controller('bench')
class OwnerPageController {
  constructor(@Inject(OWNER_DATA_SOURCE) private readonly owner: DataSource) {}

  @Get('owner-page')
  @Public()
  async page(@Query('tenant', new ParseUUIDPipe()) tenantId: string): Promise<{ items: unknown[] }> {
    return { items: await this.owner.query(OWNER_PAGE_SQL, [tenantId]) };
  }
}

@Module({})
class OwnerPageModule implements OnModuleDestroy {
  constructor(@Inject(OWNER_DATA_SOURCE) private readonly owner: DataSource) {}

  static register(ownerUrl: string): DynamicModule {
    return {
      module: OwnerPageModule,
      controllers: [OwnerPageController],
      providers: [{ provide: OWNER_DATA_SOURCE, useFactory: () => new DataSource({ type: 'postgres', url: ownerUrl, poolSize: OWNER_POOL_SIZE }).initialize() }],
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.owner.destroy();
  }
}

serveBenchmarkTarget(async (settings) => {
  const ownerUrl = settings.veiligEnv['DATABASE_URL'];
  if (!ownerUrl) throw new Error('DATABASE_URL (the migration role) is required for the owner page');
  return startVeiligApi(settings, [OwnerPageModule.register(ownerUrl)]);
});
