import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPayload } from '../formats/audit-payload.js';
import { sampleChainedEvents } from '../testing/sample-events.js';
import { SyslogUdpReceiver } from '../testing/syslog-udp-receiver.js';
import { SyslogUdpTransport, truncateUtf8 } from './syslog-udp-transport.js';

describe('syslog over UDP', () => {
  const siem = new SyslogUdpReceiver();
  const transports: SyslogUdpTransport[] = [];

  beforeAll(() => siem.start());
  afterAll(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await siem.stop();
  });

  function transport(maxMessageBytes?: number, format: 'json' | 'cef' = 'json'): SyslogUdpTransport {
    const created = new SyslogUdpTransport({
      host: '127.0.0.1',
      port: siem.port,
      payload: auditPayload(format, { productVersion: 'test' }),
      header: { hostname: 'veilig-test' },
      maxMessageBytes,
    });
    transports.push(created);
    return created;
  }

  it('[SE-3.2] sends one RFC 5424 message per datagram', async () => {
    const events = sampleChainedEvents(5, {}, 101);
    await transport(undefined, 'cef').deliver(events);
    await siem.messages.waitUntil((messages) => messages.filter((message) => message.structuredData[0]?.params['seq'] === '105').length === 1);
    const received = siem.messages.items.filter((message) => events.some((chained) => chained.event.id === message.structuredData[0]?.params['id']));
    expect(received.map((message) => message.msg.slice(0, 6))).toEqual(['CEF:0|', 'CEF:0|', 'CEF:0|', 'CEF:0|', 'CEF:0|']);
    expect(siem.violations).toEqual([]);
  });

  it('[SE-3.2] cuts a message longer than the maximum on a character boundary, keeping the header and valid UTF-8', async () => {
    const [long] = sampleChainedEvents(1, { reason: 'ë'.repeat(2_000) }, 201);
    await transport(480).deliver([long!]);
    await siem.messages.waitUntil((messages) => messages.some((message) => message.structuredData[0]?.params['seq'] === '201'));
    const message = siem.messages.items.find((received) => received.structuredData[0]?.params['seq'] === '201')!;
    expect(message.bytes).toBeLessThanOrEqual(480);
    expect(message.bytes).toBeGreaterThan(476);
    expect(message.structuredData[0]?.params['id']).toBe(long!.event.id);
    expect(message.utf8).toBe(true);
    expect(message.msg.length).toBeGreaterThan(0);
    expect(JSON.stringify({ ...long!.event, sequence: 201, hash: long!.hash }).startsWith(message.msg)).toBe(true);
    expect(siem.violations).toEqual([]);
  });

  it('truncates bytes without splitting a multi-byte character', () => {
    const text = Buffer.from('aé€😀');
    expect(truncateUtf8(text, 3).toString()).toBe('aé');
    expect(truncateUtf8(text, 5).toString()).toBe('aé');
    expect(truncateUtf8(text, 6).toString()).toBe('aé€');
    expect(truncateUtf8(text, 9).toString()).toBe('aé€');
    expect(truncateUtf8(text, 10).toString()).toBe('aé€😀');
  });

  it('refuses a maximum below what RFC 5426 makes every receiver accept', () => {
    expect(() => transport(479)).toThrow(/480/);
  });
});
