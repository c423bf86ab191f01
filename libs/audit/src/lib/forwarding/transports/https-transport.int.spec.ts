import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditPayload } from '../formats/audit-payload.js';
import { HttpsCollector, type HttpsCollectorOptions } from '../testing/https-collector.js';
import { sampleChainedEvents } from '../testing/sample-events.js';
import { createTestAuthority, type TestAuthority, type TestKeyPair } from '../testing/test-authority.js';
import { HttpsTransport, type HttpsTransportOptions } from './https-transport.js';

const TOKEN = 'c0ffee00-token-for-tests-only';
const json = auditPayload('json', { productVersion: 'test' });

describe('HTTPS collector transport', () => {
  let trusted: TestAuthority;
  let other: TestAuthority;
  let server: TestKeyPair;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    trusted = await createTestAuthority('Collector CA');
    other = await createTestAuthority('Other CA');
    server = await trusted.issueServer();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function collector(options: Partial<HttpsCollectorOptions> = {}): Promise<HttpsCollector> {
    const started = new HttpsCollector({ ...server, mode: 'json', token: TOKEN, ...options });
    await started.start();
    cleanups.push(() => started.stop());
    return started;
  }

  function transport(options: Partial<HttpsTransportOptions> & Pick<HttpsTransportOptions, 'url'>): HttpsTransport {
    const created = new HttpsTransport({ mode: 'json', caPem: trusted.certPem, token: TOKEN, payload: json, hostname: 'veilig-test', ...options });
    cleanups.push(() => created.close());
    return created;
  }

  it('[SE-3.2] posts the batch as JSON arrays with a bearer token, split by event count and size', async () => {
    const siem = await collector();
    const events = sampleChainedEvents(10);
    await transport({ url: siem.url, maxBatchEvents: 4 }).deliver(events);
    expect(siem.requests.map(({ status, events: count }) => [status, count])).toEqual([
      [200, 4],
      [200, 4],
      [200, 2],
    ]);
    expect(siem.events.items.map((event) => (event as { id: string }).id)).toEqual(events.map((chained) => chained.event.id));
    expect(siem.events.items[0]).toEqual({ ...events[0]!.event, sequence: 1, hash: events[0]!.hash });

    const bySize = await collector();
    const oneEventBytes = Buffer.byteLength(json.jsonValue(events[0]!)) + 1;
    await transport({ url: bySize.url, maxBatchBytes: oneEventBytes * 3 }).deliver(events.slice(0, 6));
    expect(bySize.requests.map(({ events: count }) => count)).toEqual([2, 2, 2]);
    expect(bySize.requests.every(({ bytes }) => bytes <= oneEventBytes * 3)).toBe(true);
  });

  it('[SE-3.2] speaks Splunk HEC: event objects in a row, the Splunk token, source and sourcetype', async () => {
    const siem = await collector({ mode: 'splunk-hec' });
    const events = sampleChainedEvents(3);
    await transport({ url: `https://127.0.0.1:${siem.port}`, mode: 'splunk-hec', payload: auditPayload('cef', { productVersion: '9' }) }).deliver(events);
    expect(siem.requests).toEqual([expect.objectContaining({ path: '/services/collector/event', status: 200, events: 3 })]);
    expect(siem.envelopes[0]).toEqual({ time: Date.parse(events[0]!.event.occurredAt) / 1000, host: 'veilig-test', source: 'veilig', sourcetype: 'veilig:audit' });
    expect(siem.events.items.map((event) => String(event).slice(0, 28))).toEqual(Array(3).fill('CEF:0|Veilig|Veilig|9|data.v'));
    expect(siem.violations).toEqual([]);
  });

  it('[SE-3.2] fails on a wrong token, a non-2xx answer or no answer, and succeeds on the next call', async () => {
    const siem = await collector();
    const events = sampleChainedEvents(2);
    await expect(transport({ url: siem.url, token: 'not-the-right-token-at-all' }).deliver(events)).rejects.toThrow(/HTTP 401/);
    const sender = transport({ url: siem.url, timeoutMs: 300 });
    siem.answerWith(503);
    await expect(sender.deliver(events)).rejects.toThrow(/HTTP 503/);
    siem.holdFrom(siem.requests.length + 1);
    await expect(sender.deliver(events)).rejects.toThrow(/no answer within 300 ms/);
    siem.release();
    await sender.deliver(events);
    expect(siem.events.items).toHaveLength(2);
  });

  it('[TH-3] refuses a collector whose certificate comes from another CA, and posts nothing', async () => {
    const siem = await collector({ ...(await other.issueServer()) });
    await expect(transport({ url: siem.url }).deliver(sampleChainedEvents(1))).rejects.toThrow(/certificate/i);
    expect(siem.requests).toEqual([]);
  });

  it('[SE-6.1] authenticates with a client certificate where the collector requires mutual TLS', async () => {
    const siem = await collector({ clientCaPem: trusted.certPem, token: undefined });
    const client = await trusted.issueClient('veilig-forwarder');
    await transport({ url: siem.url, token: undefined, clientCertPem: client.certPem, clientKeyPem: client.keyPem }).deliver(sampleChainedEvents(1));
    expect(siem.clientSubjects).toEqual(['veilig-forwarder']);
    await expect(transport({ url: siem.url, token: undefined }).deliver(sampleChainedEvents(1))).rejects.toThrow();
    expect(siem.events.items).toHaveLength(1);
  });
});
