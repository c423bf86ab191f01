import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '@veilig/platform-http';
import { DataSource } from 'typeorm';

const READINESS_TIMEOUT_MS = 2_000;

/** Liveness and readiness for the orchestrator (SV-7.6); they say up or down and nothing about internals. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok' }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('readiness check timed out')), READINESS_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return { status: 'ok' };
    } catch {
      throw new ServiceUnavailableException();
    } finally {
      clearTimeout(timer);
    }
  }
}
