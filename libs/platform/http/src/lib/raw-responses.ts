import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { problem, PROBLEM_CONTENT_TYPE } from './problem.js';
import type { HeaderMap } from './security-headers.js';

/**
 * Answers on a socket the HTTP parser already rejected (malformed request line, oversized
 * headers), where no framework runs: still a problem+json with the full header policy.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, headers: HeaderMap): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(problem(status, randomUUID(), 'The request could not be parsed as HTTP/1.1.'));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

export function sendProblem(response: ServerResponse, status: number, requestId: string, detail: string, headers: HeaderMap): void {
  const body = JSON.stringify(problem(status, requestId, detail));
  response.writeHead(status, {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  response.end(body);
}
