import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tlsContextOptions } from '@veilig/platform-http';
import { issueCertificate } from '@veilig/platform-pki';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface LoopbackHttpsServer {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  /** The throw-away CA that issued the server certificate: what a client must trust, instead of switching checks off. */
  readonly caPem: string;
  /** Routes requests; may be set after start, once the origin is known. */
  handle(handler: RequestHandler): void;
  close(): Promise<void>;
}

/**
 * An HTTPS server on 127.0.0.1 and an ephemeral port, with the production TLS policy and a
 * certificate from a CA made for it at run time, so tests exercise real certificate validation.
 */
export async function startLoopbackHttpsServer(): Promise<LoopbackHttpsServer> {
  const ca = await issueCertificate({ subject: 'CN=Veilig test IdP CA, O=Veilig tests', isCa: true });
  const leaf = await issueCertificate({
    subject: 'CN=127.0.0.1, O=Veilig tests',
    issuer: ca,
    ipAddresses: ['127.0.0.1'],
    extendedKeyUsages: ['serverAuth'],
  });
  let handler: RequestHandler = (_request, response) => {
    response.writeHead(503).end();
  };
  const server = createServer(tlsContextOptions({ cert: leaf.certPem, key: leaf.keyPem }), (request, response) =>
    handler(request, response),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    caPem: ca.certPem,
    handle: (next) => {
      handler = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
