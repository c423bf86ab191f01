import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { serveBenchmarkTarget } from '../../shared/serve-target.js';

@Controller()
class BenchController {
  @Get('bench')
  bench(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [BenchController] })
class BenchModule {}

/**
 * (b) What a typical NestJS starter ships: the default Express platform, `app.use(helmet())`
 * and HTTPS options straight into NestFactory.create. Nest logs no requests by default; its
 * start-up messages are kept off the console so the bench output stays readable.
 */
serveBenchmarkTarget(async (settings) => {
  const app = await NestFactory.create<NestExpressApplication>(BenchModule, {
    httpsOptions: { cert: readFileSync(settings.certFile), key: readFileSync(settings.keyFile) },
    logger: ['error', 'warn'],
  });
  app.use(helmet());
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return { origin: `https://127.0.0.1:${address.port}`, close: () => app.close() };
});
