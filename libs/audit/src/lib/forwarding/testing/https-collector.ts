import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Arrivals } from './arrivals.js';
import { commonName } from './common-name.js';

export interface HttpsCollectorOptions {
  readonly certPem: string;
  readonly keyPem: string;
  /** `json`: a JSON array per POST. `splunk-hec`: concatenated HEC event objects. */
  readonly mode: 'json' | 'splunk-hec';
  /** Expected as `Bearer <token>`, or `Splunk <token>` in HEC mode; without it no Authorization is checked. */
  readonly token?: string;
  /** Require a client certificate issued by this CA (mutual TLS). */
  readonly clientCaPem?: string;
}

/** The HEC fields around an event. */
export interface HecEnvelope {
  readonly time: number;
  readonly host: string;
  readonly source: string;
  readonly sourcetype: string;
}

/** One POST and what became of it. */
export interface CollectedRequest {
  readonly path: string;
  readonly status: number;
  readonly events: number;
  readonly bytes: number;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * An HTTPS audit collector on 127.0.0.1 for tests: a JSON-array endpoint, or Splunk's HTTP Event
 * Collector (POST /services/collector/event, `Authorization: Splunk <token>`). It checks the
 * token, the body's shape and, when configured, the client certificate. Tests can make it answer
 * with an error status or hold requests unanswered, as a collector that hangs would.
 * `start` after `stop` listens on the same port again.
 */
export class HttpsCollector {
  /** Accepted events in arrival order: the elements of JSON arrays, or the `event` of HEC objects. */
  readonly events = new Arrivals<unknown>();
  readonly envelopes: HecEnvelope[] = [];
  readonly requests: CollectedRequest[] = [];
  readonly violations: string[] = [];
  readonly clientSubjects: string[] = [];
  /** Requests that arrived while holding: never answered, not counted as accepted. */
  readonly held = new Arrivals<string>();
  private readonly failures: number[] = [];
  private holdFromRequest = Number.POSITIVE_INFINITY;
  private server: Server | undefined;
  private assignedPort = 0;

  constructor(private readonly options: HttpsCollectorOptions) {}

  get port(): number {
    return this.assignedPort;
  }

  get url(): string {
    return `https://127.0.0.1:${this.assignedPort}${this.options.mode === 'splunk-hec' ? '/services/collector/event' : '/audit'}`;
  }

  /** The next `times` requests are answered with `status` and their events are not kept. */
  answerWith(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(status);
  }

  /** From the `requestNumber`-th request on (1-based, counting every request so far), hold requests unanswered. */
  holdFrom(requestNumber: number): void {
    this.holdFromRequest = requestNumber;
  }

  /** Answers requests again. */
  release(): void {
    this.holdFromRequest = Number.POSITIVE_INFINITY;
  }

  async start(): Promise<void> {
    const { certPem, keyPem, clientCaPem } = this.options;
    const server = createServer(
      { cert: certPem, key: keyPem, minVersion: 'TLSv1.2', requestCert: clientCaPem !== undefined, rejectUnauthorized: clientCaPem !== undefined, ca: clientCaPem },
      (request, response) => void this.handle(request, response),
    );
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
    server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'https://collector').pathname;
    const subject = commonName((request.socket as TLSSocket).getPeerCertificate?.());
    if (subject) this.clientSubjects.push(subject);
    const body = await readBody(request);
    const requestNumber = this.requests.length + this.held.items.length + 1;
    if (requestNumber >= this.holdFromRequest) {
      this.held.add(path);
      return;
    }
    const answer = (status: number, text: string, events = 0) => {
      this.requests.push({ path, status, events, bytes: body?.length ?? 0 });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ text }));
    };
    const expectedPath = this.options.mode === 'splunk-hec' ? '/services/collector/event' : '/audit';
    if (request.method !== 'POST' || path !== expectedPath) return answer(404, 'Not found');
    if (this.options.token !== undefined) {
      const scheme = this.options.mode === 'splunk-hec' ? 'Splunk' : 'Bearer';
      if (request.headers.authorization !== `${scheme} ${this.options.token}`) return answer(401, 'Invalid token');
    }
    if (!request.headers['content-type']?.startsWith('application/json')) return answer(415, 'Not JSON');
    if (body === undefined) return answer(413, 'Too large');
    const failure = this.failures.shift();
    if (failure !== undefined) return answer(failure, 'Failing as told');
    let entries: { event: unknown; envelope?: HecEnvelope }[];
    try {
      entries = this.options.mode === 'splunk-hec' ? parseHecBody(body.toString('utf8')) : parseJsonArray(body.toString('utf8'));
    } catch (error) {
      this.violations.push(error instanceof Error ? error.message : String(error));
      return answer(400, 'Invalid data format');
    }
    answer(200, 'Success', entries.length);
    for (const { event, envelope } of entries) {
      if (envelope) this.envelopes.push(envelope);
      this.events.add(event);
    }
  }
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(length <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

function parseJsonArray(text: string): { event: unknown }[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) throw new Error('the body is not a JSON array');
  return value.map((event) => ({ event }));
}

/** HEC takes JSON objects one after another, optionally separated by whitespace. */
function parseHecBody(text: string): { event: unknown; envelope: HecEnvelope }[] {
  const entries: { event: unknown; envelope: HecEnvelope }[] = [];
  for (const objectText of splitConcatenatedObjects(text)) {
    const { time, host, source, sourcetype, event, ...rest } = JSON.parse(objectText) as Record<string, unknown>;
    if (typeof time !== 'number' || typeof host !== 'string' || typeof source !== 'string' || typeof sourcetype !== 'string' || event === undefined) {
      throw new Error('a HEC object lacks time, host, source, sourcetype or event');
    }
    if (Object.keys(rest).length > 0) throw new Error(`a HEC object has unexpected fields ${Object.keys(rest).join(', ')}`);
    entries.push({ event, envelope: { time, host, source, sourcetype } });
  }
  if (entries.length === 0) throw new Error('no HEC object in the body');
  return entries;
}

function splitConcatenatedObjects(text: string): string[] {
  const objects: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
    } else if (character === '"') {
      inString = true;
    } else if (character === '{') {
      if (depth === 0) start = index;
      depth++;
    } else if (character === '}') {
      depth--;
      if (depth === 0) objects.push(text.slice(start, index + 1));
      if (depth < 0) throw new Error('unbalanced braces in the HEC body');
    } else if (depth === 0 && !/\s/.test(character!)) {
      throw new Error('text between HEC objects');
    }
  }
  if (depth !== 0 || inString) throw new Error('the HEC body ends inside an object');
  return objects;
}
