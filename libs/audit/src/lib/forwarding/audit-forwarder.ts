import { hostname as machineHostname } from 'node:os';
import type { SecretBox } from '@veilig/identity';
import { queryRows } from '@veilig/platform-database';
import { TenantContext, TenantScope, type TenantDataSources } from '@veilig/tenancy';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_ID, type AuditEvent, type ChainedAuditEvent } from '../model/audit-event.js';
import { AuditDestinationRepository, type DeliverableAuditDestination } from './destinations/audit-destination-repository.js';
import { createAuditTransport, type TransportEnvironment } from './destinations/create-audit-transport.js';
import { retryDelayMs, type RetryPolicy } from './retry-delay.js';
import type { AuditTransport } from './transports/audit-transport.js';

export type AuditForwarderLogger = Pick<Logger, 'warn' | 'error'>;

export interface AuditForwarderOptions {
  readonly secretBox: SecretBox;
  /**
   * Where each tenant's audit_events live, in dedicated mode a TenantDatabaseRouter; by default
   * the forwarder's data source. Destinations and cursors always stay in that data source, the
   * shared control plane.
   */
  readonly tenantDatabases?: TenantDataSources;
  /** Events read and delivered at once per destination; a worker holds at most two batches. Default 500. */
  readonly batchSize?: number;
  /** Destinations served at the same time by this replica. Default 4. */
  readonly workers?: number;
  /** How often a caught-up or idle worker looks again. Default 1 s. */
  readonly pollIntervalMs?: number;
  /** How long a claim is this replica's alone; after that another replica takes the destination over. Default 60 s. */
  readonly leaseMs?: number;
  readonly retry?: RetryPolicy;
  /** Syslog HOSTNAME and HEC `host`. Default the machine's host name (the pod name on Kubernetes). */
  readonly hostname?: string;
  /** CEF Device Version. */
  readonly productVersion?: string;
  /** The folder file destinations write in; without it, file destinations fail. */
  readonly fileDirectory?: string;
  readonly logger?: AuditForwarderLogger;
}

/** Backlog of one destination, for a metric and an alert. */
export interface AuditDestinationLag {
  readonly destinationId: string;
  readonly tenantId: string;
  readonly deliveredSequence: number;
  /** Events recorded for the tenant and not yet accepted by the destination. */
  readonly undeliveredEvents: number;
  /** Age of the oldest of them; 0 when there are none. */
  readonly oldestUndeliveredAgeSeconds: number;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  readonly lastError: string | null;
}

interface ClaimRow {
  readonly destination_id: string;
  readonly tenant_id: string;
  readonly delivered_sequence: string;
  readonly attempts: number;
  /** Unique per claim: a replica whose lease ran out and was claimed again cannot settle the new claim. */
  readonly leased_by: string;
}

interface EventRow {
  readonly sequence: string;
  readonly event: AuditEvent;
  readonly hash: string;
  readonly previous_hash: string;
}

interface CachedTransport {
  readonly version: string;
  readonly transport: AuditTransport;
}

const DEFAULTS = { batchSize: 500, workers: 4, pollIntervalMs: 1_000, leaseMs: 60_000 } as const;
const MAX_ERROR_LENGTH = 300;
/** Full batches one claim may deliver before the destination goes back in the queue. */
const MAX_BATCHES_PER_CLAIM = 10;

/**
 * One due destination of any tenant, leased in the same statement that finds it, so no
 * transaction stays open while the network is slow. SKIP LOCKED lets replicas claim side by side.
 */
const CLAIM = `
  WITH due AS (
    SELECT destination_id FROM audit_delivery_cursors
     WHERE next_attempt_at <= now() AND (leased_until IS NULL OR leased_until <= now())
     ORDER BY next_attempt_at
     LIMIT 1
     FOR UPDATE SKIP LOCKED)
  UPDATE audit_delivery_cursors c
     SET leased_until = now() + make_interval(secs => $2::float8 / 1000), leased_by = $1::text || '/' || gen_random_uuid()
    FROM due
   WHERE c.destination_id = due.destination_id
  RETURNING c.destination_id, c.tenant_id, c.delivered_sequence, c.attempts, c.leased_by`;

/** The contract's read: row-level security limits it to the tenant of the transaction, the destination's. */
const READ_EVENTS = `
  SELECT sequence, event, encode(hash, 'hex') AS hash, encode(previous_hash, 'hex') AS previous_hash
    FROM audit_events WHERE sequence > $1 ORDER BY sequence LIMIT $2`;

const RELEASE = 'leased_until = NULL, leased_by = NULL';
const AFTER_MS = (parameter: string) => `now() + make_interval(secs => ${parameter}::float8 / 1000)`;
const OWN_CLAIM = 'WHERE destination_id = $1 AND leased_by = $2 RETURNING destination_id';

const ADVANCE = `
  UPDATE audit_delivery_cursors
     SET delivered_sequence = GREATEST(delivered_sequence, $3::bigint), attempts = 0, last_error = NULL,
         next_attempt_at = ${AFTER_MS('$4')}, ${RELEASE}
   ${OWN_CLAIM}`;
/** Keeps the claim for the next batch. */
const ADVANCE_AND_RENEW = `
  UPDATE audit_delivery_cursors
     SET delivered_sequence = GREATEST(delivered_sequence, $3::bigint), attempts = 0, last_error = NULL, leased_until = ${AFTER_MS('$4')}
   ${OWN_CLAIM}`;
const IDLE = `UPDATE audit_delivery_cursors SET next_attempt_at = ${AFTER_MS('$3')}, ${RELEASE} ${OWN_CLAIM}`;
const FAIL = `
  UPDATE audit_delivery_cursors
     SET attempts = attempts + 1, last_error = $4, next_attempt_at = ${AFTER_MS('$3')}, ${RELEASE}
   ${OWN_CLAIM}`;
const PARK = `UPDATE audit_delivery_cursors SET next_attempt_at = 'infinity', ${RELEASE} ${OWN_CLAIM}`;

const LAG = `
  SELECT (SELECT max(sequence) FROM audit_events) AS last_sequence,
         (SELECT extract(epoch FROM now() - occurred_at)::float8
            FROM audit_events WHERE sequence > $1 ORDER BY sequence LIMIT 1) AS oldest_age_seconds`;

/**
 * Forwards every tenant's audit events to that tenant's own SIEM destinations (SE-3.2, SE-6.2),
 * at least once and in sequence order.
 *
 * Per destination a cursor says "delivered up to sequence N". A worker claims a due destination
 * with a lease, reads the next batch after N in a transaction of the destination's tenant (so
 * row-level security admits that tenant's events only), delivers it, and only then moves the
 * cursor, provided its claim still holds. A failed batch is retried after an exponential backoff
 * with jitter, with the error kept on the cursor. A replica that dies keeps its lease until it
 * expires; then another one delivers the batch again. So an event can arrive twice, with the
 * same id, but is never skipped: sequences of a tenant commit in order, without gaps.
 */
export class AuditForwarder {
  /** Transactions on the tenant's audit trail, wherever it lives. */
  private readonly trails: TenantScope;
  private readonly destinations: AuditDestinationRepository;
  private readonly environment: TransportEnvironment;
  private readonly transports = new Map<string, CachedTransport>();
  private readonly sleepers = new Set<() => void>();
  private readonly logger: AuditForwarderLogger | undefined;
  private readonly replica: string;
  private readonly batchSize: number;
  private readonly workers: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditForwarderOptions,
  ) {
    this.batchSize = wholeNumber('batchSize', options.batchSize ?? DEFAULTS.batchSize, 1, 10_000);
    this.workers = wholeNumber('workers', options.workers ?? DEFAULTS.workers, 1, 64);
    this.pollIntervalMs = wholeNumber('pollIntervalMs', options.pollIntervalMs ?? DEFAULTS.pollIntervalMs, 1, 3_600_000);
    this.leaseMs = wholeNumber('leaseMs', options.leaseMs ?? DEFAULTS.leaseMs, 100, 3_600_000);
    this.trails = new TenantScope(options.tenantDatabases ?? dataSource);
    this.destinations = new AuditDestinationRepository(new TenantScope(dataSource), options.secretBox);
    const hostname = options.hostname ?? machineHostname();
    this.environment = { hostname, productVersion: options.productVersion ?? 'unknown', fileDirectory: options.fileDirectory };
    this.replica = `${hostname}:${process.pid}`;
    this.logger = options.logger;
  }

  /** Starts the workers; they run until `stop`. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = Promise.all(Array.from({ length: this.workers }, () => this.work())).then(() => undefined);
  }

  /** Lets the batches in flight finish and settle their cursors, then closes every connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.sleepers) wake();
    await this.running;
    this.running = undefined;
    const open = [...this.transports.values()];
    this.transports.clear();
    await Promise.all(open.map(({ transport }) => transport.close()));
  }

  /** Every destination of every tenant with its backlog. */
  async lag(): Promise<AuditDestinationLag[]> {
    const cursors = await queryRows<Omit<ClaimRow, 'leased_by'> & { last_error: string | null }>(
      this.dataSource,
      'SELECT destination_id, tenant_id, delivered_sequence, attempts, last_error FROM audit_delivery_cursors ORDER BY tenant_id, destination_id',
    );
    const lags: AuditDestinationLag[] = [];
    for (const cursor of cursors) {
      const deliveredSequence = Number(cursor.delivered_sequence);
      const [backlog] = await TenantContext.run({ tenantId: cursor.tenant_id, actorId: SYSTEM_ACTOR_ID }, () =>
        this.trails.query<{ last_sequence: string | null; oldest_age_seconds: number | null }>(LAG, [deliveredSequence]),
      );
      lags.push({
        destinationId: cursor.destination_id,
        tenantId: cursor.tenant_id,
        deliveredSequence,
        undeliveredEvents: Math.max(0, Number(backlog?.last_sequence ?? 0) - deliveredSequence),
        oldestUndeliveredAgeSeconds: Math.max(0, backlog?.oldest_age_seconds ?? 0),
        attempts: cursor.attempts,
        lastError: cursor.last_error,
      });
    }
    return lags;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      let claimed = false;
      try {
        claimed = await this.forwardNext();
      } catch (error) {
        this.logger?.error({ error: describeError(error) }, 'audit forwarding could not reach its database');
      }
      if (!claimed && !this.stopping) await this.pause(this.pollIntervalMs);
    }
  }

  /**
   * Claims one due destination and forwards from its cursor: batch after batch while they come
   * full, up to MAX_BATCHES_PER_CLAIM so that other destinations get their turn, renewing the
   * lease with every advance. The next batch is read while the current one is on the wire, so at
   * most two batches are held. False when nothing was due.
   */
  private async forwardNext(): Promise<boolean> {
    const [claim] = await queryRows<ClaimRow>(this.dataSource, CLAIM, [this.replica, this.leaseMs]);
    if (!claim) return false;
    const settle = async (statement: string, ...values: unknown[]) =>
      (await queryRows(this.dataSource, statement, [claim.destination_id, claim.leased_by, ...values])).length > 0;
    const inTenant = <T>(work: () => Promise<T>) => TenantContext.run({ tenantId: claim.tenant_id, actorId: SYSTEM_ACTOR_ID }, work);
    const readAfter = (sequence: number | string) => {
      const reading = inTenant(() => this.trails.query<EventRow>(READ_EVENTS, [sequence, this.batchSize]));
      // Read ahead, it may never be awaited when the batch before it fails.
      reading.catch(() => undefined);
      return reading;
    };
    const leaseLost = () =>
      this.logger?.warn({ destinationId: claim.destination_id }, 'audit batch delivered after its lease ran out; another replica delivers it again');
    try {
      const destination = await inTenant(() => this.destinations.findForDelivery(claim.destination_id));
      if (!destination?.enabled) {
        await this.forget(claim.destination_id);
        await settle(PARK);
        return true;
      }
      const transport = await this.transportFor(destination);
      let reading = readAfter(claim.delivered_sequence);
      for (let batch = 1; ; batch++) {
        const rows = await reading;
        if (rows.length === 0) {
          await settle(IDLE, this.pollIntervalMs);
          return true;
        }
        const full = rows.length === this.batchSize;
        const more = full && batch < MAX_BATCHES_PER_CLAIM && !this.stopping;
        const events = rows.map(toChainedEvent);
        const last = events[events.length - 1]!.sequence;
        if (more) reading = readAfter(last);
        await transport.deliver(events);
        if (!more) {
          if (!(await settle(ADVANCE, last, full ? 0 : this.pollIntervalMs))) leaseLost();
          return true;
        }
        if (!(await settle(ADVANCE_AND_RENEW, last, this.leaseMs))) {
          leaseLost();
          return true;
        }
      }
    } catch (error) {
      const attempts = claim.attempts + 1;
      const lastError = describeError(error);
      await settle(FAIL, retryDelayMs(attempts, this.options.retry), lastError);
      this.logger?.warn({ destinationId: claim.destination_id, tenantId: claim.tenant_id, attempts, error: lastError }, 'audit events not delivered; will retry');
      return true;
    }
  }

  private async transportFor(destination: DeliverableAuditDestination): Promise<AuditTransport> {
    const cached = this.transports.get(destination.id);
    if (cached?.version === destination.version) return cached.transport;
    await this.forget(destination.id);
    const transport = createAuditTransport(destination.definition, this.environment);
    this.transports.set(destination.id, { version: destination.version, transport });
    return transport;
  }

  private async forget(destinationId: string): Promise<void> {
    const cached = this.transports.get(destinationId);
    this.transports.delete(destinationId);
    await cached?.transport.close();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function toChainedEvent(row: EventRow): ChainedAuditEvent {
  return { event: row.event, sequence: Number(row.sequence), hash: row.hash, previousHash: row.previous_hash };
}

/** One line for `last_error` and the log: the transports' messages name no secret, and neither does this. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, MAX_ERROR_LENGTH);
}

function wholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`AuditForwarder option ${name} must be a whole number from ${min} to ${max}`);
  return value;
}
