import { createServer, type Server } from 'node:net';
import { connect as connectTls, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditPayload } from '../formats/audit-payload.js';
import { formatSyslogMessage } from '../formats/syslog-message.js';
import { sampleChainedEvents } from '../testing/sample-events.js';
import { SyslogStreamReceiver } from '../testing/syslog-stream-receiver.js';
import { createTestAuthority, type TestAuthority, type TestKeyPair } from '../testing/test-authority.js';
import { SyslogStreamTransport, type SyslogStreamTransportOptions } from './syslog-stream-transport.js';

const payload = auditPayload('json', { productVersion: 'test' });
const header = { hostname: 'veilig-test' };

describe('syslog over TLS and TCP', () => {
  let trusted: TestAuthority;
  let other: TestAuthority;
  let server: TestKeyPair;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    trusted = await createTestAuthority('SIEM CA');
    other = await createTestAuthority('Other CA');
    server = await trusted.issueServer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function receiver(options: ConstructorParameters<typeof SyslogStreamReceiver>[0]): Promise<SyslogStreamReceiver> {
    const started = new SyslogStreamReceiver(options);
    await started.start();
    cleanups.push(() => started.stop());
    return started;
  }

  function transport(options: Omit<SyslogStreamTransportOptions, 'payload' | 'header'>): SyslogStreamTransport {
    const created = new SyslogStreamTransport({ payload, header, ...options });
    cleanups.push(() => created.close());
    return created;
  }

  it('[SE-3.2] delivers a batch over TLS as octet-counted RFC 5424 messages, in order', async () => {
    const siem = await receiver({ tls: server });
    const events = sampleChainedEvents(25);
    await transport({ host: '127.0.0.1', port: siem.port, tls: { caPem: trusted.certPem } }).deliver(events);
    await siem.messages.waitForCount(25);
    expect(siem.violations).toEqual([]);
    expect(siem.messages.items.map((message) => message.structuredData[0]?.params['seq'])).toEqual(events.map((chained) => String(chained.sequence)));
    expect(siem.messages.items.map((message) => JSON.parse(message.msg).id)).toEqual(events.map((chained) => chained.event.id));
  });

  it('[SE-3.2] frames every message as MSG-LEN SP SYSLOG-MSG with the length in bytes', async () => {
    const received: Buffer[] = [];
    const raw: Server = createServer((socket) => socket.on('data', (chunk: Buffer) => received.push(chunk)));
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => raw.close(() => resolve())));
    const events = sampleChainedEvents(2, { reason: 'één' });
    const sender = transport({ host: '127.0.0.1', port: (raw.address() as { port: number }).port });
    await sender.deliver(events);
    await sender.close();
    const messages = events.map((chained) => formatSyslogMessage(chained, payload.text(chained), header));
    await expect.poll(() => Buffer.concat(received).toString('utf8')).toBe(messages.map((message) => `${Buffer.byteLength(message)} ${message}`).join(''));
  });

  it('[TH-3] refuses a receiver whose certificate comes from another CA, and sends nothing', async () => {
    const siem = await receiver({ tls: await other.issueServer() });
    const sender = transport({ host: '127.0.0.1', port: siem.port, tls: { caPem: trusted.certPem } });
    await expect(sender.deliver(sampleChainedEvents(3))).rejects.toThrow(/certificate/i);
    expect(siem.frames).toBe(0);
  });

  it('[TH-3] refuses a receiver whose certificate is for another host name', async () => {
    const siem = await receiver({ tls: server });
    const sender = transport({ host: '127.0.0.1', port: siem.port, tls: { caPem: trusted.certPem, serverName: 'siem.gemeente.example' } });
    await expect(sender.deliver(sampleChainedEvents(1))).rejects.toThrow(/altnames|host/i);
    expect(siem.frames).toBe(0);
  });

  it('[TH-5] refuses a receiver that speaks nothing newer than TLS 1.1', async () => {
    let received = 0;
    // OpenSSL's security level 0 is what lets anything still negotiate TLS 1.1 here.
    const outdated = createTlsServer({ cert: server.certPem, key: server.keyPem, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, (socket) =>
      socket.on('data', (chunk: Buffer) => (received += chunk.length)),
    );
    await new Promise<void>((resolve) => outdated.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => outdated.close(() => resolve())));
    const port = (outdated.address() as { port: number }).port;
    const permissive = await new Promise<TLSSocket>((resolve, reject) => {
      const socket = connectTls({ host: '127.0.0.1', port, ca: trusted.certPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => resolve(socket));
      socket.once('error', reject);
    });
    expect(permissive.getProtocol()).toBe('TLSv1.1');
    permissive.destroy();
    await expect(transport({ host: '127.0.0.1', port, tls: { caPem: trusted.certPem } }).deliver(sampleChainedEvents(1))).rejects.toThrow(/protocol version/);
    expect(received).toBe(0);
  });

  it('[SE-6.1] presents the client certificate to a receiver that requires mutual TLS', async () => {
    const client = await trusted.issueClient('veilig-forwarder');
    const siem = await receiver({ tls: { ...server, clientCaPem: trusted.certPem } });
    await transport({ host: '127.0.0.1', port: siem.port, tls: { caPem: trusted.certPem, clientCertPem: client.certPem, clientKeyPem: client.keyPem } }).deliver(
      sampleChainedEvents(2),
    );
    await siem.messages.waitForCount(2);
    expect(siem.clientSubjects).toEqual(['veilig-forwarder']);
  });

  it('[SE-6.1] fails the batch when a mutual-TLS receiver refuses the client, instead of losing it', async () => {
    const siem = await receiver({ tls: { ...server, clientCaPem: trusted.certPem } });
    const stranger = await other.issueClient('stranger');
    const anonymous = transport({ host: '127.0.0.1', port: siem.port, tls: { caPem: trusted.certPem } });
    await expect(anonymous.deliver(sampleChainedEvents(2))).rejects.toThrow(/connecting to TLS/);
    const wrongCa = transport({ host: '127.0.0.1', port: siem.port, tls: { caPem: trusted.certPem, clientCertPem: stranger.certPem, clientKeyPem: stranger.keyPem } });
    await expect(wrongCa.deliver(sampleChainedEvents(2))).rejects.toThrow(/connecting to TLS/);
    expect(siem.frames).toBe(0);
  });

  it('[SE-3.2] fails while the receiver is down and reconnects on the next call once it is back', async () => {
    const siem = await receiver({});
    const sender = transport({ host: '127.0.0.1', port: siem.port });
    const [first, second, third] = [sampleChainedEvents(3), sampleChainedEvents(3), sampleChainedEvents(3)];
    await sender.deliver(first!);
    await siem.messages.waitForCount(3);
    await siem.stop();
    await expect(sender.deliver(second!)).rejects.toThrow();
    await siem.start();
    await sender.deliver(second!);
    await sender.deliver(third!);
    await siem.messages.waitForCount(9);
    expect(siem.messages.items.map((message) => JSON.parse(message.msg).id)).toEqual([...first!, ...second!, ...third!].map((chained) => chained.event.id));
    expect(siem.violations).toEqual([]);
  });
});
