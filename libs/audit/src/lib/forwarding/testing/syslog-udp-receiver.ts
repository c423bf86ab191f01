import { createSocket, type Socket } from 'node:dgram';
import { Arrivals } from './arrivals.js';
import { parseSyslogMessage, type ParsedSyslogMessage } from './syslog-parser.js';

/**
 * A syslog receiver over UDP (RFC 5426) on 127.0.0.1: every datagram is one message, parsed
 * strictly; a datagram that is no valid RFC 5424 message is recorded as a violation.
 */
export class SyslogUdpReceiver {
  readonly messages = new Arrivals<ParsedSyslogMessage>();
  readonly violations: string[] = [];
  private socket: Socket | undefined;
  private assignedPort = 0;

  get port(): number {
    return this.assignedPort;
  }

  async start(): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('message', (datagram) => {
      try {
        this.messages.add(parseSyslogMessage(datagram));
      } catch (error) {
        this.violations.push(error instanceof Error ? error.message : String(error));
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.assignedPort, '127.0.0.1', () => resolve());
    });
    this.assignedPort = socket.address().port;
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
