import type { KeyObject } from 'node:crypto';
import { TenantContext } from '@veilig/tenancy';
import type { Logger } from 'pino';
import { createCheckpoint } from '../chain/audit-checkpoint.js';
import { SYSTEM_ACTOR_ID } from '../model/audit-event.js';
import { purgeExpiredAuditEvents } from '../retention/purge-expired-audit-events.js';
import type { AuditWriter } from '../writer/audit-writer.js';

export interface AuditMaintenanceOptions {
  /** Every tenant id, read at each round (tenants come and go). */
  readonly tenants: () => Promise<readonly string[]>;
  readonly signingKey: KeyObject;
  readonly keyId: string;
  readonly checkpointIntervalMs: number;
  /** How often expired events are purged; retention is counted in days, so daily is plenty. */
  readonly purgeIntervalMs?: number;
  readonly logger: Pick<Logger, 'info' | 'error'>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What keeps every tenant's trail provable over time: a signed checkpoint of the chain's head
 * whenever events were added since the last one (forwarded to the SIEM like any event, so a tail
 * cut off together with its head shows), and the retention purge. Both are idempotent, so
 * replicas running it side by side at worst write one checkpoint each.
 */
export class AuditMaintenance {
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: AuditWriter,
    private readonly options: AuditMaintenanceOptions,
  ) {}

  start(): void {
    this.timers = [
      setInterval(() => this.schedule(() => this.checkpointAll()), this.options.checkpointIntervalMs),
      setInterval(() => this.schedule(() => this.purgeAll()), this.options.purgeIntervalMs ?? DAY_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.running;
  }

  /** A checkpoint for every tenant whose newest event is not one already. */
  async checkpointAll(): Promise<number> {
    let made = 0;
    for (const tenantId of await this.options.tenants()) {
      const [newest] = await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () =>
        this.writer.scope.query<{ action: string }>('SELECT action FROM audit_events ORDER BY sequence DESC LIMIT 1'),
      );
      if (!newest || newest.action === 'audit.checkpoint') continue;
      await createCheckpoint(this.writer, tenantId, this.options.signingKey, this.options.keyId);
      made++;
    }
    return made;
  }

  async purgeAll(): Promise<void> {
    for (const tenantId of await this.options.tenants()) {
      const result = await purgeExpiredAuditEvents(this.writer, tenantId);
      if (result.purgedCount > 0) this.options.logger.info({ tenantId, purged: result.purgedCount }, 'expired audit events purged');
    }
  }

  /** One round at a time; a failed round is logged and the next one tries again. */
  private schedule(round: () => Promise<unknown>): void {
    this.running = this.running.then(round).then(
      () => undefined,
      (error: unknown) => this.options.logger.error({ err: error }, 'audit maintenance round failed'),
    );
  }
}
