import { type DynamicModule, Module } from '@nestjs/common';
import type { TenantDataSources } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { AuditQuery } from '../query/audit-query.js';
import type { AuditWriter } from '../writer/audit-writer.js';
import { AuditChainCheck } from './audit-chain-check.js';
import { AuditController } from './audit.controller.js';

/** The auditor's API (`/api/audit`). The writer is the application's, so exports are recorded in the request's transaction scope. */
@Module({})
export class AuditHttpModule {
  static forRoot(options: { readonly writer: AuditWriter; readonly database: DataSource | TenantDataSources }): DynamicModule {
    return {
      module: AuditHttpModule,
      controllers: [AuditController],
      providers: [
        { provide: AuditQuery, useValue: new AuditQuery(options.writer.scope) },
        { provide: AuditChainCheck, useValue: new AuditChainCheck(options.database) },
      ],
    };
  }
}
