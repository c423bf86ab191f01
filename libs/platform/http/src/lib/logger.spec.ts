import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, SECRET_FIELDS } from './logger.js';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts every secret field at any of the first four levels of nesting', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    const secrets = Object.fromEntries(SECRET_FIELDS.map((field) => [field, `value-of-${field}`]));
    const upperCased = Object.fromEntries(SECRET_FIELDS.map((field) => [field.toUpperCase(), `value-of-${field}`]));
    logger.info({ ...secrets, request: { headers: upperCased, body: { nested: secrets, list: [secrets] } } }, 'with secrets');
    expect(lines).toHaveLength(1);
    for (const field of SECRET_FIELDS) expect(lines[0]).not.toContain(`value-of-${field}`);
    expect(lines[0]).toContain('[redacted]');
  });

  it('writes one JSON object per line with a UTC millisecond timestamp, neutralising line breaks in values', () => {
    const { lines, stream } = capture();
    createLogger('info', stream).info({ user: 'evil\n{"level":"fatal","msg":"forged"}' }, 'login');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(entry.level).toBe('info');
    expect(entry.user).toContain('\n');
  });
});
