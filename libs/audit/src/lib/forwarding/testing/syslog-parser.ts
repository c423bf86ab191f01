/** A message or frame that breaks RFC 5424 / RFC 5425 framing; test receivers record it as a violation. */
export class SyslogParseError extends Error {
  override readonly name = 'SyslogParseError';
}

export interface StructuredDataElement {
  readonly id: string;
  readonly params: Readonly<Record<string, string>>;
}

/** An RFC 5424 message, every field as it was on the wire (NILVALUE stays "-"). */
export interface ParsedSyslogMessage {
  readonly facility: number;
  readonly severity: number;
  readonly timestamp: string;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  readonly structuredData: readonly StructuredDataElement[];
  /** MSG without its BOM. */
  readonly msg: string;
  /** Whether MSG started with the UTF-8 BOM (MSG-UTF8 rather than MSG-ANY). */
  readonly utf8: boolean;
  /** Size of the SYSLOG-MSG in bytes. */
  readonly bytes: number;
}

const SP = 0x20;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses one SYSLOG-MSG strictly by the ABNF of RFC 5424 §6: PRI without leading zeros and at
 * most 191, VERSION 1, header fields of PRINTUSASCII within their length limits, a full-date
 * TIMESTAMP, SD-ELEMENTs with escaped PARAM-VALUEs in valid UTF-8, and an MSG that is valid
 * UTF-8 when it starts with the BOM.
 */
export function parseSyslogMessage(bytes: Buffer): ParsedSyslogMessage {
  const reader = new Reader(bytes);
  reader.expect(0x3c, 'PRI must start with "<"');
  const pri = reader.until(0x3e, 'PRI must end with ">"');
  if (!/^(0|[1-9]\d{0,2})$/.test(pri) || Number(pri) > 191) throw new SyslogParseError(`PRI "${pri}" is not 0–191 without leading zeros`);
  reader.expect(0x3e, 'PRI must end with ">"');
  const version = reader.field('VERSION', 1);
  if (version !== '1') throw new SyslogParseError(`VERSION is "${version}", not 1`);
  const timestamp = reader.field('TIMESTAMP', 32);
  if (timestamp !== '-' && (!TIMESTAMP.test(timestamp) || Number.isNaN(Date.parse(timestamp)))) throw new SyslogParseError(`TIMESTAMP "${timestamp}" is not RFC 3339`);
  const hostname = reader.field('HOSTNAME', 255);
  const appName = reader.field('APP-NAME', 48);
  const procId = reader.field('PROCID', 128);
  const msgId = reader.field('MSGID', 32);
  const structuredData = reader.structuredData();
  let msg = '';
  let isUtf8 = false;
  if (!reader.atEnd()) {
    reader.expect(SP, 'STRUCTURED-DATA must be followed by SP or the end');
    const rest = reader.rest();
    isUtf8 = rest.subarray(0, 3).equals(BOM);
    msg = isUtf8 ? decodeUtf8(rest.subarray(3), 'MSG after the BOM') : rest.toString('utf8');
  }
  return { facility: Number(pri) >> 3, severity: Number(pri) & 7, timestamp, hostname, appName, procId, msgId, structuredData, msg, utf8: isUtf8, bytes: bytes.length };
}

/**
 * Splits a byte stream into octet-counted frames (`MSG-LEN SP SYSLOG-MSG`, RFC 5425 §4.3):
 * MSG-LEN is a NONZERO-DIGIT followed by digits; anything else is a framing error, after which
 * nothing further on the connection can be trusted.
 */
export class OctetCountingFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** The complete frames that `chunk` finished. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    for (;;) {
      const space = this.pending.indexOf(SP);
      const digits = (space === -1 ? this.pending : this.pending.subarray(0, space)).toString('latin1');
      const awaitingMore = space === -1 && /^([1-9]\d{0,8})?$/.test(digits);
      if (!awaitingMore && !/^[1-9]\d{0,8}$/.test(digits)) throw new SyslogParseError(`bad MSG-LEN "${digits.slice(0, 12)}"`);
      if (space === -1) return frames;
      const length = Number(digits);
      if (this.pending.length < space + 1 + length) return frames;
      frames.push(this.pending.subarray(space + 1, space + 1 + length));
      this.pending = this.pending.subarray(space + 1 + length);
    }
  }

  /** Bytes of a frame that had not been completed. */
  get incomplete(): number {
    return this.pending.length;
  }
}

class Reader {
  private position = 0;

  constructor(private readonly bytes: Buffer) {}

  atEnd(): boolean {
    return this.position >= this.bytes.length;
  }

  expect(byte: number, problem: string): void {
    if (this.bytes[this.position] !== byte) throw new SyslogParseError(problem);
    this.position++;
  }

  until(byte: number, problem: string): string {
    const end = this.bytes.indexOf(byte, this.position);
    if (end === -1) throw new SyslogParseError(problem);
    const text = this.bytes.toString('latin1', this.position, end);
    this.position = end;
    return text;
  }

  /** A header field: 1 to `maxLength` PRINTUSASCII, then SP. */
  field(name: string, maxLength: number): string {
    const start = this.position;
    while (!this.atEnd() && this.bytes[this.position] !== SP) {
      const byte = this.bytes[this.position]!;
      if (byte < 0x21 || byte > 0x7e) throw new SyslogParseError(`${name} holds a byte outside PRINTUSASCII`);
      this.position++;
    }
    const value = this.bytes.toString('latin1', start, this.position);
    if (value.length === 0 || value.length > maxLength) throw new SyslogParseError(`${name} must be 1 to ${maxLength} characters, is ${value.length}`);
    this.expect(SP, `${name} must be followed by SP`);
    return value;
  }

  structuredData(): StructuredDataElement[] {
    if (this.bytes[this.position] === 0x2d) {
      this.position++;
      return [];
    }
    const elements: StructuredDataElement[] = [];
    while (this.bytes[this.position] === 0x5b) {
      this.position++;
      const id = this.sdName('SD-ID');
      const params: Record<string, string> = {};
      while (this.bytes[this.position] === SP) {
        this.position++;
        const name = this.sdName('PARAM-NAME');
        this.expect(0x3d, `PARAM-NAME ${name} must be followed by "="`);
        this.expect(0x22, `PARAM-VALUE of ${name} must be quoted`);
        params[name] = this.paramValue(name);
      }
      this.expect(0x5d, `SD-ELEMENT ${id} must end with "]"`);
      elements.push({ id, params });
    }
    if (elements.length === 0) throw new SyslogParseError('STRUCTURED-DATA must be "-" or SD-ELEMENTs');
    return elements;
  }

  rest(): Buffer {
    const rest = this.bytes.subarray(this.position);
    this.position = this.bytes.length;
    return rest;
  }

  /** 1 to 32 PRINTUSASCII except "=", SP, "]" and '"'. */
  private sdName(what: string): string {
    const start = this.position;
    for (;;) {
      const byte = this.bytes[this.position];
      if (byte === undefined || byte < 0x21 || byte > 0x7e || byte === 0x3d || byte === 0x5d || byte === 0x22) break;
      this.position++;
    }
    const name = this.bytes.toString('latin1', start, this.position);
    if (name.length === 0 || name.length > 32) throw new SyslogParseError(`${what} must be 1 to 32 characters`);
    return name;
  }

  /** Up to the closing '"'; only '"', '\' and ']' are escapes, and ']' must be escaped. */
  private paramValue(name: string): string {
    const value: number[] = [];
    for (;;) {
      const byte = this.bytes[this.position++];
      if (byte === undefined) throw new SyslogParseError(`PARAM-VALUE of ${name} is not closed`);
      if (byte === 0x22) break;
      if (byte === 0x5d) throw new SyslogParseError(`PARAM-VALUE of ${name} holds an unescaped "]"`);
      if (byte === 0x5c) {
        const next = this.bytes[this.position];
        if (next === 0x22 || next === 0x5c || next === 0x5d) {
          value.push(next);
          this.position++;
          continue;
        }
      }
      value.push(byte);
    }
    return decodeUtf8(Buffer.from(value), `PARAM-VALUE of ${name}`);
  }
}

function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new SyslogParseError(`${what} is not valid UTF-8`);
  }
}
