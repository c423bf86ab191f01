import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditPayload } from '../formats/audit-payload.js';
import { sampleChainedEvents } from '../testing/sample-events.js';
import { JsonLinesFileTransport } from './json-lines-file-transport.js';

describe('JSON-lines file', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  function folder(): string {
    const created = mkdtempSync(join(tmpdir(), 'veilig-audit-file-'));
    folders.push(created);
    return created;
  }

  it('[SE-3.2] appends one JSON line per event, batch after batch, readable by the owner only', async () => {
    const path = join(folder(), 'audit.jsonl');
    const transport = new JsonLinesFileTransport({ path, payload: auditPayload('json', { productVersion: 'test' }) });
    const events = sampleChainedEvents(5, { reason: 'two\nlines' });
    await transport.deliver(events.slice(0, 2));
    await transport.deliver(events.slice(2));
    await transport.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('fails while the file cannot be opened, and opens it on the next call once it can', async () => {
    const base = folder();
    const path = join(base, 'later', 'audit.jsonl');
    const transport = new JsonLinesFileTransport({ path, payload: auditPayload('cef', { productVersion: 'test' }) });
    const events = sampleChainedEvents(2);
    await expect(transport.deliver(events)).rejects.toThrow(/appending to the audit file failed/);
    mkdirSync(join(base, 'later'));
    await transport.deliver(events);
    await transport.close();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => line.slice(0, 6))).toEqual(['CEF:0|', 'CEF:0|']);
  });
});
