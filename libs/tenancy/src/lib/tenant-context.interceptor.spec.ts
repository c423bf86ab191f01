import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type CanActivate, Controller, type ExecutionContext, Get, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantContext } from './tenant-context.js';
import { TenantContextInterceptor } from './tenant-context.interceptor.js';

const session = { tenantId: randomUUID(), userId: randomUUID() };

/** Stands in for AuthenticationGuard: a session for requests that carry the test cookie. */
@Injectable()
class SessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; session?: typeof session }>();
    if (request.headers['cookie'] === 'signed-in') request.session = session;
    return true;
  }
}

@Controller()
class ProbeController {
  @Get('tenant')
  async tenant(): Promise<{ context: unknown }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { context: TenantContext.optional() ?? null };
  }
}

@Module({
  controllers: [ProbeController],
  providers: [
    { provide: APP_GUARD, useClass: SessionGuard },
    { provide: APP_INTERCEPTOR, useClass: TenantContextInterceptor },
  ],
})
class ProbeModule {}

describe('TenantContextInterceptor', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  const get = async (headers: Record<string, string>) =>
    (await app.inject({ method: 'GET', url: '/tenant', headers })).json<{ context: unknown }>().context;

  it('[SE-6.2] runs the handler in the tenant of the session, and of nothing the request says', async () => {
    expect(await get({ cookie: 'signed-in', 'x-tenant-id': randomUUID() })).toEqual({ tenantId: session.tenantId, actorId: session.userId });
  });

  it('[SE-6.2] gives a request without a session no tenant context', async () => {
    expect(await get({ 'x-tenant-id': session.tenantId })).toBeNull();
  });
});
