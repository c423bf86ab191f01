import { describe, expect, it } from 'vitest';
import { buildClientHello, parseServerAnswer, SSL3_VERSION, TLS10_VERSION, TLS12_VERSION } from './client-hello.js';

/** A ServerHello record choosing `cipherSuite`, with a session id of `sessionIdLength` bytes. */
function serverHello(version: number, cipherSuite: number, sessionIdLength = 32): Buffer {
  const body = Buffer.concat([
    Buffer.from([version >> 8, version & 0xff]),
    Buffer.alloc(32, 7),
    Buffer.from([sessionIdLength]),
    Buffer.alloc(sessionIdLength, 9),
    Buffer.from([cipherSuite >> 8, cipherSuite & 0xff, 0]),
  ]);
  const handshake = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 3, handshake.length >> 8, handshake.length & 0xff]), handshake]);
}

describe('hand-made ClientHello', () => {
  it('[TH-21] builds a TLS 1.2 hello in a TLS 1.0 record, offering exactly the given suites and naming the host', () => {
    const hello = buildClientHello({ version: TLS12_VERSION, cipherSuites: [0x000a], serverName: 'zaken.example.nl' });
    expect(hello[0]).toBe(0x16);
    expect(hello.readUInt16BE(1)).toBe(TLS10_VERSION);
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(0x01);
    expect(hello.readUInt16BE(9)).toBe(TLS12_VERSION);
    const suitesAt = 9 + 2 + 32 + 1;
    expect(hello.readUInt16BE(suitesAt)).toBe(2);
    expect(hello.readUInt16BE(suitesAt + 2)).toBe(0x000a);
    expect(hello.includes(Buffer.from('zaken.example.nl'))).toBe(true);
  });

  it('[TH-21] leaves out SNI for an IP address and uses an SSL 3.0 record for an SSL 3.0 hello', () => {
    const hello = buildClientHello({ version: SSL3_VERSION, cipherSuites: [0x0035], serverName: '127.0.0.1' });
    expect(hello.readUInt16BE(1)).toBe(SSL3_VERSION);
    expect(hello.includes(Buffer.from('127.0.0.1'))).toBe(false);
  });

  it('[TH-21] reads the chosen suite and version from a ServerHello, waiting until enough bytes are in', () => {
    const answer = serverHello(TLS12_VERSION, 0xc012);
    expect(parseServerAnswer(answer.subarray(0, 40))).toBeUndefined();
    expect(parseServerAnswer(answer)).toEqual({ kind: 'server-hello', version: TLS12_VERSION, cipherSuite: 0xc012 });
    expect(parseServerAnswer(serverHello(SSL3_VERSION, 0x000a, 0))).toEqual({ kind: 'server-hello', version: SSL3_VERSION, cipherSuite: 0x000a });
  });

  it('[TH-21] recognises a refusal alert and anything that is not TLS', () => {
    expect(parseServerAnswer(Buffer.from([0x15, 3, 3, 0, 2, 2, 40]))).toEqual({ kind: 'alert', description: 40 });
    expect(parseServerAnswer(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toEqual({ kind: 'unexpected' });
  });
});
