import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serveBenchmarkTarget } from '../../shared/serve-target.js';

const BODY = JSON.stringify({ ok: true });

/** (a) The physical limit: node:https answering with the fewest headers HTTP allows. */
serveBenchmarkTarget(async (settings) => {
  const server = createServer({ cert: readFileSync(settings.certFile), key: readFileSync(settings.keyFile) }, (request, response) => {
    if (request.url === '/bench') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
      response.end(BODY);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
