import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { ChainedAuditEvent } from '../../model/audit-event.js';
import type { AuditPayload } from '../formats/audit-payload.js';
import { formatSyslogMessage, type SyslogHeaderOptions } from '../formats/syslog-message.js';
import { AuditTransportError, type AuditTransport } from './audit-transport.js';
import { describeIoError } from './describe-io-error.js';

export interface SyslogUdpTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly payload: AuditPayload;
  readonly header: SyslogHeaderOptions;
  /** Longer messages are cut to this many bytes. Default 2048, what RFC 5426 §3.2 says receivers SHOULD accept. */
  readonly maxMessageBytes?: number;
}

/** RFC 5426 §3.2: every receiver MUST accept 480 bytes, and no datagram can carry more than 65,507 over IPv4. */
export const UDP_MESSAGE_BYTES = { min: 480, default: 2048, max: 65_507 } as const;

/**
 * Syslog over UDP (RFC 5426): one message per datagram, cut to `maxMessageBytes`. UDP has no
 * acknowledgement at all, so `deliver` resolves once the kernel took every datagram; a receiver
 * that is down loses them. The socket is connected, so the ICMP "port unreachable" such a
 * receiver provokes fails a later batch, which is then sent again. For networks where that is
 * not good enough, use syslog over TLS or HTTPS.
 */
export class SyslogUdpTransport implements AuditTransport {
  private socket: Promise<Socket> | undefined;
  private readonly maxMessageBytes: number;

  constructor(private readonly options: SyslogUdpTransportOptions) {
    this.maxMessageBytes = options.maxMessageBytes ?? UDP_MESSAGE_BYTES.default;
    if (!Number.isInteger(this.maxMessageBytes) || this.maxMessageBytes < UDP_MESSAGE_BYTES.min || this.maxMessageBytes > UDP_MESSAGE_BYTES.max) {
      throw new RangeError(`maxMessageBytes must be a whole number from ${UDP_MESSAGE_BYTES.min} to ${UDP_MESSAGE_BYTES.max}`);
    }
  }

  async deliver(events: readonly ChainedAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const socket = await this.connected();
    try {
      await Promise.all(
        events.map((chained) => {
          const message = formatSyslogMessage(chained, this.options.payload.text(chained), this.options.header);
          return send(socket, truncateUtf8(Buffer.from(message), this.maxMessageBytes));
        }),
      );
    } catch (error) {
      await this.close();
      throw new AuditTransportError(`UDP ${this.options.host}:${this.options.port}: ${describeIoError(error)}`);
    }
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    const open = await socket?.catch(() => undefined);
    if (open) await new Promise<void>((resolve) => open.close(() => resolve()));
  }

  private connected(): Promise<Socket> {
    this.socket ??= new Promise<Socket>((resolve, reject) => {
      const socket = createSocket(isIPv6(this.options.host) ? 'udp6' : 'udp4');
      const fail = (error: Error) => {
        socket.close();
        reject(new AuditTransportError(`UDP ${this.options.host}:${this.options.port}: ${describeIoError(error)}`));
      };
      socket.once('error', fail);
      socket.connect(this.options.port, this.options.host, () => {
        socket.off('error', fail);
        // Errors also reach the callback of the send they belong to.
        socket.on('error', () => undefined);
        resolve(socket);
      });
    });
    this.socket.catch(() => {
      this.socket = undefined;
    });
    return this.socket;
  }
}

function send(socket: Socket, datagram: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.send(datagram, (error) => (error ? reject(error) : resolve())));
}

/**
 * The longest prefix of `bytes` of at most `maxBytes` that ends on a character boundary, so a cut
 * message is still valid UTF-8 (RFC 5426 §3.2 lets a sender truncate; RFC 5424 §6.4 wants the
 * MSG to stay valid). The header comes first and is far shorter than the minimum, so only the
 * payload is ever cut.
 */
export function truncateUtf8(bytes: Buffer, maxBytes: number): Buffer {
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the first byte of the character that did not fit.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
