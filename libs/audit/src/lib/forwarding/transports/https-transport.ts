import { Agent, request } from 'node:https';
import type { ChainedAuditEvent } from '../../model/audit-event.js';
import type { AuditPayload } from '../formats/audit-payload.js';
import { AuditTransportError, type AuditTransport } from './audit-transport.js';
import { describeIoError } from './describe-io-error.js';

export type HttpsCollectorMode = 'json' | 'splunk-hec';

export interface HttpsTransportOptions {
  /** https only; in Splunk HEC mode a bare origin means its event endpoint, /services/collector/event. */
  readonly url: string;
  /** `json`: a JSON array of events per POST. `splunk-hec`: Splunk's HTTP Event Collector format. */
  readonly mode: HttpsCollectorMode;
  /** The CA certificate(s) the collector's certificate must chain to; the system trust store is not used. */
  readonly caPem: string;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
  /** Sent as `Authorization: Bearer <token>`, or `Splunk <token>` in HEC mode. */
  readonly token?: string;
  readonly payload: AuditPayload;
  /** The `host` of a HEC event: this installation as the SIEM should know it. */
  readonly hostname: string;
  /** Default 500. */
  readonly maxBatchEvents?: number;
  /** Default 1 MiB; a single larger event is still sent, on its own. */
  readonly maxBatchBytes?: number;
  /** For one POST, connecting included. Default 10 s. */
  readonly timeoutMs?: number;
}

export const HTTPS_BATCH_DEFAULTS = { maxBatchEvents: 500, maxBatchBytes: 1024 * 1024, timeoutMs: 10_000 } as const;
export const SPLUNK_HEC_EVENT_PATH = '/services/collector/event';
export const SPLUNK_HEC_SOURCE = 'veilig';
export const SPLUNK_HEC_SOURCETYPE = 'veilig:audit';

/**
 * POSTs events to an HTTPS collector: TLS 1.2 or later, the collector's certificate checked
 * against the configured CA, a bearer token and/or a client certificate. Only a 2xx answer counts
 * as accepted; anything else, a redirect included, fails the batch. A batch larger than the limits
 * goes out as several POSTs in order; when a later one fails, the whole batch is sent again.
 */
export class HttpsTransport implements AuditTransport {
  private agent: Agent | undefined;
  private readonly url: URL;
  private readonly maxBatchEvents: number;
  private readonly maxBatchBytes: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpsTransportOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'https:') throw new AuditTransportError('the collector URL must be https');
    if (options.mode === 'splunk-hec' && this.url.pathname === '/') this.url.pathname = SPLUNK_HEC_EVENT_PATH;
    this.maxBatchEvents = options.maxBatchEvents ?? HTTPS_BATCH_DEFAULTS.maxBatchEvents;
    this.maxBatchBytes = options.maxBatchBytes ?? HTTPS_BATCH_DEFAULTS.maxBatchBytes;
    this.timeoutMs = options.timeoutMs ?? HTTPS_BATCH_DEFAULTS.timeoutMs;
  }

  async deliver(events: readonly ChainedAuditEvent[]): Promise<void> {
    // A JSON array costs a comma per entry and the two brackets; HEC objects follow one another.
    const overhead = this.options.mode === 'json' ? 1 : 0;
    let entries: string[] = [];
    let bytes = overhead;
    for (const chained of events) {
      const entry = this.entry(chained);
      const size = Buffer.byteLength(entry) + overhead;
      if (entries.length > 0 && (entries.length >= this.maxBatchEvents || bytes + size > this.maxBatchBytes)) {
        await this.post(entries);
        entries = [];
        bytes = overhead;
      }
      entries.push(entry);
      bytes += size;
    }
    if (entries.length > 0) await this.post(entries);
  }

  async close(): Promise<void> {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private entry(chained: ChainedAuditEvent): string {
    const value = this.options.payload.jsonValue(chained);
    if (this.options.mode === 'json') return value;
    const occurredAt = Date.parse(chained.event.occurredAt);
    const time = ((Number.isNaN(occurredAt) ? Date.now() : occurredAt) / 1000).toFixed(3);
    return `{"time":${time},"host":${JSON.stringify(this.options.hostname)},"source":"${SPLUNK_HEC_SOURCE}","sourcetype":"${SPLUNK_HEC_SOURCETYPE}","event":${value}}`;
  }

  private async post(entries: readonly string[]): Promise<void> {
    const body = Buffer.from(this.options.mode === 'json' ? `[${entries.join(',')}]` : entries.join(''));
    try {
      await this.send(body);
    } catch (error) {
      // A fresh agent: the next batch starts on a new connection, never on one that just failed.
      await this.close();
      throw error;
    }
  }

  private send(body: Buffer): Promise<void> {
    const { token, mode } = this.options;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'veilig-audit-forwarder',
    };
    if (token !== undefined) headers['authorization'] = `${mode === 'splunk-hec' ? 'Splunk' : 'Bearer'} ${token}`;
    const where = this.url.origin;
    return new Promise((resolve, reject) => {
      const post = request(
        this.url,
        { method: 'POST', agent: this.connectionPool(), headers, signal: AbortSignal.timeout(this.timeoutMs) },
        (response) => {
          const status = response.statusCode ?? 0;
          response.on('error', (error) => reject(new AuditTransportError(`${where}: ${describeIoError(error)}`)));
          response.on('end', () => {
            if (status >= 200 && status < 300) resolve();
            else reject(new AuditTransportError(`${where} answered HTTP ${status}`));
          });
          response.resume();
        },
      );
      post.on('error', (error) => {
        const reason = error.name === 'AbortError' || error.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : describeIoError(error);
        reject(new AuditTransportError(`${where}: ${reason}`));
      });
      post.end(body);
    });
  }

  private connectionPool(): Agent {
    this.agent ??= new Agent({
      keepAlive: true,
      maxSockets: 1,
      ca: this.options.caPem,
      cert: this.options.clientCertPem,
      key: this.options.clientKeyPem,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
    });
    return this.agent;
  }
}
