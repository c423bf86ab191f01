import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { AuditForwarder } from '@veilig/audit';
import { Public } from '@veilig/platform-http';
import { DataSource } from 'typeorm';

const READINESS_TIMEOUT_MS = 2_000;

/** Liveness and readiness for the orchestrator (SV-7.6); they say up or down and nothing about internals. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditForwarder: AuditForwarder,
  ) {}

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

  /**
   * Prometheus gauges for alerting on a SIEM that stopped accepting the audit trail. Totals over
   * all destinations only: which tenant's SIEM lags is for the operator's CLI, not for a public
   * endpoint.
   */
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    const lag = await this.auditForwarder.lag();
    const gauges: Array<[string, string, number]> = [
      ['veilig_audit_undelivered_events', 'Audit events not yet accepted by their SIEM destinations.', lag.reduce((sum, each) => sum + each.undeliveredEvents, 0)],
      ['veilig_audit_oldest_undelivered_seconds', 'Age of the oldest audit event not yet delivered.', Math.max(0, ...lag.map((each) => each.oldestUndeliveredAgeSeconds))],
      ['veilig_audit_failing_destinations', 'SIEM destinations whose last delivery failed.', lag.filter((each) => each.attempts > 0).length],
      ['veilig_audit_destinations', 'Enabled SIEM destinations.', lag.length],
    ];
    return gauges.map(([name, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}\n`).join('');
  }
}
