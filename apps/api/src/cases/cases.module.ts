import { Module } from '@nestjs/common';
import { CaseRepository } from './case.repository.js';
import { CaseService } from './case.service.js';
import { CasesController } from './cases.controller.js';

/**
 * The example domain module: municipal cases holding personal data. Its permissions
 * (cases.permissions.ts) and migration are registered by the application with the others.
 */
@Module({
  controllers: [CasesController],
  providers: [CaseRepository, CaseService],
})
export class CasesModule {}
