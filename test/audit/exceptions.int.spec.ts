import { Controller, Get, Module } from '@nestjs/common';
import { RequirePermissions } from '@veilig/platform-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/test-api.js';
import { TenantPeople, type Person } from '../support/tenant-people.js';

/** A feature that fails unexpectedly, with a message that must not reach the trail. */
@Controller('api/broken')
class BrokenController {
  @Get()
  @RequirePermissions('cases:read')
  broken(): never {
    throw new RangeError('internal detail: connection string postgres://secret@db');
  }
}

@Module({ controllers: [BrokenController] })
class BrokenModule {}

describe('exceptions in the audit trail', () => {
  let service: TestApi;
  let people: TenantPeople;
  let member: Person;

  beforeAll(async () => {
    service = await startTestApi({}, { modules: [BrokenModule] });
    people = await TenantPeople.open(service);
    member = await people.person(await people.tenant('gemeente-x'), { roles: ['member'] });
  });
  afterAll(async () => {
    await people?.close();
    await service?.close();
  });

  it('[SE-3.2] [SV-7.9] records an unexpected error as security.exception in the tenant\'s trail, without its message', async () => {
    const response = await member.call('GET', '/api/broken');
    expect(response.status).toBe(500);
    const problem = response.json<{ requestId: string; detail: string }>();
    expect(problem.detail).not.toContain('internal detail');
    const recorded = (await service.auditEvents()).find((event) => event.action === 'security.exception');
    expect(recorded).toMatchObject({
      tenantId: member.tenantId,
      outcome: 'failure',
      actor: { type: 'user', userId: member.userId },
      target: { type: 'route', id: 'GET /api/broken' },
      reason: 'RangeError',
      requestId: problem.requestId,
    });
    expect(JSON.stringify(recorded)).not.toContain('secret@db');
  });
});
