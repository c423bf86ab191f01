import { isIP, connect as connectTcp, type Socket } from 'node:net';
import { checkServerIdentity, connect as connectTls, type TLSSocket } from 'node:tls';
import type { ChainedAuditEvent } from '../../model/audit-event.js';
import type { AuditPayload } from '../formats/audit-payload.js';
import { formatSyslogMessage, type SyslogHeaderOptions } from '../formats/syslog-message.js';
import { AuditTransportError, type AuditTransport } from './audit-transport.js';
import { describeIoError } from './describe-io-error.js';

export interface SyslogTlsOptions {
  /** The CA certificate(s) the receiver's certificate must chain to; the system trust store is not used. */
  readonly caPem: string;
  /** The name the receiver's certificate must carry (DNS name or IP address); the host by default. */
  readonly serverName?: string;
  /** A client certificate and its key, for receivers that require mutual TLS. */
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
}

export interface SyslogStreamTransportOptions {
  readonly host: string;
  readonly port: number;
  /** RFC 5425 syslog over TLS; without it, plain TCP (RFC 6587). */
  readonly tls?: SyslogTlsOptions;
  readonly payload: AuditPayload;
  readonly header: SyslogHeaderOptions;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long a batch may take to reach the kernel's send buffer. Default 30 s. */
  readonly writeTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_WRITE_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_DELAY_MS = 60_000;
const TLS13_ACCEPTANCE_WAIT_MS = 1_000;

/**
 * Syslog over a byte stream with octet-counting framing (`MSG-LEN SP SYSLOG-MSG`, RFC 5425 §4.3
 * and RFC 6587 §3.4.1): over TLS 1.2 or later with the receiver's certificate checked against
 * the configured CA and name (and a client certificate when configured), or over plain TCP.
 *
 * Syslog has no application-level acknowledgement. A batch counts as delivered when all of it
 * was written to the connection without error and the receiver had not closed it meanwhile; a
 * receiver that crashes right after may still lose what was in flight. Destinations that need a
 * receipt use HTTPS, which answers every batch.
 */
export class SyslogStreamTransport implements AuditTransport {
  private connection: StreamConnection | undefined;

  constructor(private readonly options: SyslogStreamTransportOptions) {}

  async deliver(events: readonly ChainedAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const frames = Buffer.from(events.map((chained) => this.frame(chained)).join(''));
    const connection = await this.connected();
    try {
      await connection.write(frames, this.options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS);
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.end();
  }

  private frame(chained: ChainedAuditEvent): string {
    const message = formatSyslogMessage(chained, this.options.payload.text(chained), this.options.header);
    return `${Buffer.byteLength(message)} ${message}`;
  }

  private async connected(): Promise<StreamConnection> {
    if (this.connection?.usable()) return this.connection;
    this.connection?.destroy();
    this.connection = undefined;
    this.connection = await this.open();
    return this.connection;
  }

  private open(): Promise<StreamConnection> {
    const { host, port, tls } = this.options;
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const expectedName = tls?.serverName ?? host;
    const socket = tls
      ? connectTls({
          host,
          port,
          ca: tls.caPem,
          cert: tls.clientCertPem,
          key: tls.clientKeyPem,
          minVersion: 'TLSv1.2',
          rejectUnauthorized: true,
          // SNI carries host names only; the certificate is checked against the expected name either way.
          servername: isIP(expectedName) ? undefined : expectedName,
          checkServerIdentity: (_host, certificate) => checkServerIdentity(expectedName, certificate),
        })
      : connectTcp({ host, port });
    const where = `${tls ? 'TLS' : 'TCP'} ${host}:${port}`;
    return new Promise((resolve, reject) => {
      let settled = false;
      let acceptanceTimer: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => socket.destroy(new AuditTransportError(`no connection within ${timeoutMs} ms`)), timeoutMs);
      const settle = (problem: Error | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(acceptanceTimer);
        socket.off('error', fail);
        socket.off('close', closedEarly);
        if (problem) {
          socket.destroy();
          reject(new AuditTransportError(`connecting to ${where} failed: ${describeIoError(problem)}`));
          return;
        }
        socket.setNoDelay(true);
        socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
        resolve(new StreamConnection(socket, where));
      };
      const fail = (error: Error) => settle(error);
      const closedEarly = () => settle(new AuditTransportError('the receiver closed the connection'));
      socket.on('error', fail);
      socket.on('close', closedEarly);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        // In TLS 1.3 the client is done before the server has checked the client's certificate,
        // and a refusal comes as an alert afterwards: what is written meanwhile is lost without a
        // trace. The server's session ticket follows its acceptance, so wait for one (or a moment,
        // for servers that send none); a refusal arrives first, as an error.
        if (!tls || (socket as TLSSocket).getProtocol() !== 'TLSv1.3') return settle(undefined);
        acceptanceTimer = setTimeout(() => settle(undefined), TLS13_ACCEPTANCE_WAIT_MS);
        // Not from inside the event: OpenSSL is still reading the ticket then, and a write made
        // from there stalls the connection.
        socket.once('session', () => setImmediate(() => settle(undefined)));
        socket.resume();
      });
    });
  }
}

/** One open connection, and whether anything happened to it that makes a write unsafe. */
class StreamConnection {
  private problem: Error | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly where: string,
  ) {
    socket.on('error', (error) => this.spoil(new AuditTransportError(`${where}: ${describeIoError(error)}`)));
    socket.on('end', () => this.spoil(new AuditTransportError(`${where}: the receiver closed the connection`)));
    socket.on('close', () => this.spoil(new AuditTransportError(`${where}: the connection closed`)));
    // A receiver sends nothing, but reading keeps TLS records (session tickets, close_notify) moving.
    socket.on('data', () => undefined);
  }

  usable(): boolean {
    return this.problem === undefined;
  }

  /** Resolves once the whole buffer has reached the kernel and the connection is still sound. */
  write(bytes: Buffer, timeoutMs: number): Promise<void> {
    if (this.problem) return Promise.reject(this.problem);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.socket.destroy(new AuditTransportError(`${this.where}: writing stalled for ${timeoutMs} ms`)), timeoutMs);
      this.socket.write(bytes, (error) => {
        clearTimeout(timer);
        if (error) reject(this.problem ?? new AuditTransportError(`${this.where}: ${describeIoError(error)}`));
        else if (this.problem) reject(this.problem);
        else resolve();
      });
    });
  }

  destroy(): void {
    this.spoil(new AuditTransportError(`${this.where}: closed after a failure`));
    this.socket.destroy();
  }

  /** Half-closes, so the receiver reads everything before its end, and waits a moment for it to close too. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      const timer = setTimeout(() => this.socket.destroy(), 1_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }

  private spoil(problem: Error): void {
    this.problem ??= problem;
  }
}
