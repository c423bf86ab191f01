import { randomBytes, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { connect, type TLSSocket } from 'node:tls';
import {
  AUDIT_FORWARDING_MIGRATIONS,
  AUDIT_MIGRATIONS,
  AuditDestinationRepository,
  AuditForwarder,
  SYSTEM_ACTOR_ID,
  auditPayload,
  canonicalJson,
  formatSyslogMessage,
  type AuditEvent,
  type ChainedAuditEvent,
} from '@veilig/audit';
import { SecretBox } from '@veilig/identity';
import { SyslogStreamReceiver } from '../../libs/audit/src/lib/forwarding/testing/syslog-stream-receiver.js';
import { openAppDataSource, prepareDatabase } from '@veilig/platform-database';
import { issueCertificate } from '@veilig/platform-pki';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import pg from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { progress, type BenchmarkOutcome } from '../benchmark.js';
import { createBenchDatabase } from '../shared/database.js';
import { formatInteger, formatRatio, renderColumns } from '../shared/report-format.js';
import { temporaryDirectory } from '../shared/temporary-directory.js';

const NAME = 'audit-forwarder';
/** The issue's target for the forwarder; printed, never asserted. */
export const FORWARDER_TARGET_EVENTS_PER_SECOND = 10_000;
const DEFAULT_EVENTS = 50_000;
const DEFAULT_BATCH_SIZE = 1_000;
const ROUNDS = 3;
const INSERT_CHUNK = 5_000;
const DELIVERY_TIMEOUT_MS = 300_000;
const HOSTNAME = 'veilig-bench';

export interface ForwarderMeasurementOptions {
  /** Events recorded for the one tenant; default 50,000. */
  readonly events?: number;
  /** The forwarder's batch size, and the baseline's write size; default 1,000. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

export interface ForwarderMeasurement extends BenchmarkOutcome {
  readonly events: number;
  /** Medians over the rounds. */
  readonly forwarderEventsPerSecond: number;
  readonly baselineEventsPerSecond: number;
  /** Forwarder over baseline, per round, median. */
  readonly shareOfBaseline: number;
}

/**
 * Forwarder throughput to a syslog-over-TLS receiver: `events` audit events of one tenant are
 * recorded first, then each round adds a fresh destination (cursor at 0) and times an
 * AuditForwarder from start until the receiver has counted every frame. The baseline of the same
 * round writes the very same frames, formatted beforehand, over one TLS connection in writes of
 * `batchSize`: what the network and receiver allow without the database. Receiver and forwarder
 * share this process, as they share the machine in the baseline too. Prints a report and
 * resolves with the medians; `failed` when a round lost events.
 */
export async function measureForwarder(options: ForwarderMeasurementOptions = {}): Promise<ForwarderMeasurement> {
  const events = options.events ?? DEFAULT_EVENTS;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const signal = options.signal ?? new AbortController().signal;
  const say = (message: string) => progress(NAME, message);
  const database = await createBenchDatabase();
  const dataDir = temporaryDirectory('veilig-bench-audit-');
  const closers: Array<() => Promise<unknown>> = [];
  try {
    say(`database: ${database.description}`);
    const appUrl = await prepareDatabase({
      migrationUrl: database.migrationUrl,
      appUrl: undefined,
      appRole: database.appRole,
      dataDir: dataDir.path,
      migrations: [...AUDIT_MIGRATIONS, ...AUDIT_FORWARDING_MIGRATIONS],
      logger: pino({ level: 'silent' }),
    });
    const app = await openAppDataSource({ url: appUrl, poolSize: 8 });
    closers.push(() => app.destroy());
    const scope = new TenantScope(app);
    const tenantId = randomUUID();
    say(`recording ${formatInteger(events)} audit events for one tenant`);
    await record(scope, tenantId, events);
    // What autovacuum does after a bulk load on a live system. Without statistics the planner
    // reads a batch by sorting the whole backlog instead of walking the primary key.
    await analyze(database.migrationUrl);
    signal.throwIfAborted();

    const ca = await issueCertificate({ subject: 'CN=Veilig bench SIEM CA', isCa: true });
    const leaf = await issueCertificate({
      subject: 'CN=localhost',
      issuer: ca,
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      extendedKeyUsages: ['serverAuth'],
    });
    const receiver = new SyslogStreamReceiver({ tls: { certPem: leaf.certPem, keyPem: leaf.keyPem }, countOnly: true });
    await receiver.start();
    closers.push(() => receiver.stop());

    const frames = await formattedBatches(scope, tenantId, events, batchSize);
    const secretBox = new SecretBox({ id: 'bench', key: randomBytes(32) });
    const destinations = new AuditDestinationRepository(scope, secretBox);
    const baseline: number[] = [];
    const forwarded: number[] = [];
    let lost = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      signal.throwIfAborted();
      baseline.push(events / (await timeRawWrites(receiver, ca.certPem, frames, events, signal)));
      const seconds = await timeForwarder(app, destinations, secretBox, receiver, ca.certPem, tenantId, round, batchSize, events, signal);
      forwarded.push(events / seconds.seconds);
      lost += seconds.undelivered;
      say(`round ${round}/${ROUNDS}: baseline ${formatInteger(baseline.at(-1)!)} events/s, forwarder ${formatInteger(forwarded.at(-1)!)} events/s`);
    }
    const measurement: ForwarderMeasurement = {
      failed: lost > 0 || receiver.violations.length > 0,
      events,
      forwarderEventsPerSecond: median(forwarded),
      baselineEventsPerSecond: median(baseline),
      shareOfBaseline: median(forwarded.map((value, round) => value / baseline[round]!)),
    };
    process.stdout.write(report(measurement, batchSize));
    if (lost > 0) process.stderr.write(`[${NAME}] error: ${lost} events were not delivered\n`);
    for (const violation of receiver.violations) process.stderr.write(`[${NAME}] error: receiver: ${violation}\n`);
    return measurement;
  } finally {
    for (const close of closers.reverse()) await close();
    await database.drop();
    dataDir.remove();
  }
}

/** Straight into the chain, many rows per statement: the writer's one round trip per event would take longer than the measurement. */
async function record(scope: TenantScope, tenantId: string, count: number): Promise<void> {
  const userId = randomUUID();
  const start = Date.now() - count;
  for (let first = 0; first < count; first += INSERT_CHUNK) {
    const documents = Array.from({ length: Math.min(INSERT_CHUNK, count - first) }, (_, offset): string => {
      const index = first + offset;
      const event: AuditEvent = {
        schemaVersion: 1,
        id: randomUUID(),
        tenantId,
        occurredAt: new Date(start + index).toISOString(),
        action: index % 4 === 0 ? 'auth.logon' : 'data.viewed',
        outcome: 'success',
        actor: { type: 'user', userId, email: 'jan.de.vries@gemeente.example', displayName: 'Jan de Vries' },
        device: { ip: '192.0.2.10', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' },
        target: { type: 'zaak', id: `Z-2025-${index}` },
        requestId: randomUUID(),
      };
      return canonicalJson(event);
    });
    await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () => scope.query('INSERT INTO audit_events (canonical) SELECT unnest($1::text[])', [documents]));
  }
}

async function analyze(ownerUrl: string): Promise<void> {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    await owner.query('ANALYZE audit_events');
  } finally {
    await owner.end();
  }
}

/** The frames the forwarder will send, in batches, formatted before any clock starts. */
async function formattedBatches(scope: TenantScope, tenantId: string, count: number, batchSize: number): Promise<Buffer[]> {
  const payload = auditPayload('json', { productVersion: 'bench' });
  const rows = await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () =>
    scope.query<{ sequence: string; event: AuditEvent; hash: string; previous_hash: string }>(
      "SELECT sequence, event, encode(hash, 'hex') AS hash, encode(previous_hash, 'hex') AS previous_hash FROM audit_events ORDER BY sequence LIMIT $1",
      [count],
    ),
  );
  const batches: Buffer[] = [];
  for (let first = 0; first < rows.length; first += batchSize) {
    const text = rows
      .slice(first, first + batchSize)
      .map((row) => {
        const chained: ChainedAuditEvent = { event: row.event, sequence: Number(row.sequence), hash: row.hash, previousHash: row.previous_hash };
        const message = formatSyslogMessage(chained, payload.text(chained), { hostname: HOSTNAME });
        return `${Buffer.byteLength(message)} ${message}`;
      })
      .join('');
    batches.push(Buffer.from(text));
  }
  return batches;
}

async function timeRawWrites(receiver: SyslogStreamReceiver, caPem: string, batches: readonly Buffer[], events: number, signal: AbortSignal): Promise<number> {
  const target = receiver.frames + events;
  const startedAt = performance.now();
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const opened = connect({ host: '127.0.0.1', port: receiver.port, ca: caPem, minVersion: 'TLSv1.2' }, () => resolve(opened));
    opened.once('error', reject);
  });
  for (const batch of batches) await new Promise<void>((resolve, reject) => socket.write(batch, (error) => (error ? reject(error) : resolve())));
  await waitUntil(() => receiver.frames >= target, signal);
  const seconds = (performance.now() - startedAt) / 1000;
  socket.end();
  return seconds;
}

async function timeForwarder(
  app: DataSource,
  destinations: AuditDestinationRepository,
  secretBox: SecretBox,
  receiver: SyslogStreamReceiver,
  caPem: string,
  tenantId: string,
  round: number,
  batchSize: number,
  events: number,
  signal: AbortSignal,
): Promise<{ seconds: number; undelivered: number }> {
  const destination = await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () =>
    destinations.add({ name: `siem-${round}`, kind: 'syslog-tls', settings: { host: '127.0.0.1', port: receiver.port, caPem } }),
  );
  const target = receiver.frames + events;
  const forwarder = new AuditForwarder(app, { secretBox, batchSize, pollIntervalMs: 50, hostname: HOSTNAME, productVersion: 'bench' });
  const startedAt = performance.now();
  forwarder.start();
  try {
    await waitUntil(() => receiver.frames >= target, signal);
    return { seconds: (performance.now() - startedAt) / 1000, undelivered: 0 };
  } catch (error) {
    if (signal.aborted) throw error;
    const lag = (await forwarder.lag()).find((entry) => entry.destinationId === destination.id);
    return { seconds: Number.POSITIVE_INFINITY, undelivered: lag?.undeliveredEvents ?? events };
  } finally {
    await forwarder.stop();
    await TenantContext.run({ tenantId, actorId: SYSTEM_ACTOR_ID }, () => destinations.remove(destination.id));
  }
}

function waitUntil(done: () => boolean, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (done()) return resolve();
      if (signal.aborted) return reject(signal.reason);
      if (performance.now() > deadline) return reject(new Error(`not delivered within ${DELIVERY_TIMEOUT_MS / 1000} s`));
      setTimeout(check, 2);
    };
    check();
  });
}

function report(measurement: ForwarderMeasurement, batchSize: number): string {
  const processors = cpus();
  const verdict = measurement.forwarderEventsPerSecond >= FORWARDER_TARGET_EVENTS_PER_SECOND ? 'met' : 'MISSED';
  return [
    '',
    `audit forwarder: ${formatInteger(measurement.events)} recorded events of one tenant to a syslog-over-TLS receiver (RFC 5425, JSON payload) on 127.0.0.1,`,
    `in this process; batches of ${formatInteger(batchSize)}; ${ROUNDS} rounds, medians; vs (a) compares each round with the baseline of the same round`,
    `machine: ${processors.length} × ${processors[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
    '',
    renderColumns(
      ['target', 'events/s', 'vs (a)'],
      [
        ['(a) the same frames, pre-formatted, written over one TLS connection (baseline)', formatInteger(measurement.baselineEventsPerSecond), formatRatio(1)],
        [
          '(b) AuditForwarder: claim, read from PostgreSQL, format, write, advance the cursor',
          formatInteger(measurement.forwarderEventsPerSecond),
          formatRatio(measurement.shareOfBaseline),
        ],
      ],
      1,
    ),
    '',
    `verdict: (b) = ${formatInteger(measurement.forwarderEventsPerSecond)} events/s, target ≥ ${formatInteger(FORWARDER_TARGET_EVENTS_PER_SECOND)}: ${verdict}`,
    '',
  ].join('\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
