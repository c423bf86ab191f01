import { open, type FileHandle } from 'node:fs/promises';
import type { ChainedAuditEvent } from '../../model/audit-event.js';
import type { AuditPayload } from '../formats/audit-payload.js';
import { AuditTransportError, type AuditTransport } from './audit-transport.js';
import { describeIoError } from './describe-io-error.js';

export interface JsonLinesFileTransportOptions {
  readonly path: string;
  readonly payload: AuditPayload;
}

/**
 * Appends one line per event (JSON, or CEF) to a local file and fsyncs it before the batch counts
 * as delivered: a sink for a local log shipper, and for `npm start` without a SIEM. The file is
 * created owner-readable only.
 */
export class JsonLinesFileTransport implements AuditTransport {
  private file: FileHandle | undefined;

  constructor(private readonly options: JsonLinesFileTransportOptions) {}

  async deliver(events: readonly ChainedAuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const lines = events.map((chained) => `${this.options.payload.text(chained)}\n`).join('');
    try {
      this.file ??= await open(this.options.path, 'a', 0o600);
      await this.file.appendFile(lines);
      await this.file.sync();
    } catch (error) {
      await this.close();
      throw new AuditTransportError(`appending to the audit file failed: ${describeIoError(error)}`);
    }
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.close().catch(() => undefined);
  }
}
