import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface TestRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Trusted CA for HTTPS; the development certificate is its own CA. */
  readonly ca?: string;
  /** Sets the Host header (default: localhost:<port>). */
  readonly host?: string;
}

/** A plain Node client, so tests see exactly what went over the socket (no fetch normalisation). */
export function send(protocol: 'http' | 'https', port: number, options: TestRequest = {}): Promise<TestResponse> {
  const requester = protocol === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = requester(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        servername: 'localhost',
        ca: options.ca,
        agent: false,
        headers: { host: options.host ?? `localhost:${port}`, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Writes bytes as they are (malformed requests, HTTP/1.0) and returns everything the server answered. */
export function sendRaw(protocol: 'http' | 'https', port: number, payload: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket =
      protocol === 'https'
        ? tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca })
        : netConnect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.once(protocol === 'https' ? 'secureConnect' : 'connect', () => socket.write(payload));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy());
  });
}

export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}
