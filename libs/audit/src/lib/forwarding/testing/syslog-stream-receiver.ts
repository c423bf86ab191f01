import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Arrivals } from './arrivals.js';
import { commonName } from './common-name.js';
import { OctetCountingFramer, parseSyslogMessage, type ParsedSyslogMessage } from './syslog-parser.js';

export interface SyslogStreamReceiverOptions {
  /** Syslog over TLS (RFC 5425) with this certificate chain and key; plain TCP (RFC 6587) without. */
  readonly tls?: {
    readonly certPem: string;
    readonly keyPem: string;
    /** Require a client certificate issued by this CA (mutual TLS). */
    readonly clientCaPem?: string;
  };
  /**
   * Keep only a count of the frames instead of parsing and keeping every message: for
   * throughput measurements, where the receiver should cost as little as possible.
   */
  readonly countOnly?: boolean;
}

const CLOSE_GRACE_MS = 2_000;

/**
 * A syslog receiver on 127.0.0.1 for tests and benchmarks. It splits octet-counted frames and
 * parses each message strictly (RFC 5424); any violation is recorded and ends the connection.
 * `stop` behaves like a receiver shutting down cleanly: it stops accepting, half-closes every
 * connection and reads what the sender had already written until the sender closes too.
 * `start` after `stop` listens on the same port again.
 */
export class SyslogStreamReceiver {
  readonly messages = new Arrivals<ParsedSyslogMessage>();
  readonly violations: string[] = [];
  /** Subject of each client certificate presented on a connection, for mutual TLS. */
  readonly clientSubjects: string[] = [];
  /** Connections whose TLS handshake failed, such as a client refusing our certificate. */
  failedHandshakes = 0;
  /** Frames received, also in countOnly mode. */
  frames = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private assignedPort = 0;

  constructor(private readonly options: SyslogStreamReceiverOptions = {}) {}

  get port(): number {
    return this.assignedPort;
  }

  async start(): Promise<void> {
    const { tls } = this.options;
    const server = tls
      ? createTlsServer(
          {
            cert: tls.certPem,
            key: tls.keyPem,
            minVersion: 'TLSv1.2',
            requestCert: tls.clientCaPem !== undefined,
            rejectUnauthorized: tls.clientCaPem !== undefined,
            ca: tls.clientCaPem,
          },
          (socket) => this.accept(socket),
        )
      : createTcpServer((socket) => this.accept(socket));
    server.on('tlsClientError', () => this.failedHandshakes++);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.assignedPort, '127.0.0.1', () => resolve());
    });
    this.assignedPort = (server.address() as { port: number }).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const grace = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, CLOSE_GRACE_MS);
    for (const socket of this.sockets) socket.end();
    await closed;
    clearTimeout(grace);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if ('getPeerCertificate' in socket) {
      const subject = commonName((socket as TLSSocket).getPeerCertificate());
      if (subject) this.clientSubjects.push(subject);
    }
    const framer = new OctetCountingFramer();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of framer.push(chunk)) {
          this.frames++;
          if (!this.options.countOnly) this.messages.add(parseSyslogMessage(frame));
        }
      } catch (error) {
        this.violations.push(error instanceof Error ? error.message : String(error));
        socket.destroy();
      }
    });
  }
}
