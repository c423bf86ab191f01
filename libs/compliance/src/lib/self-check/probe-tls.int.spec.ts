import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLS12_PROBE_SUITES } from './cipher-suites.js';
import { TLS12_VERSION } from './client-hello.js';
import { probeTls, sendClientHello, type TlsProbeResult, type TlsTarget } from './probe-tls.js';

/*
 * The probe against a reference server that accepts everything this OpenSSL can do, so every
 * "accepted" below is a positive the probe must see. The kit's strict listener is the negative
 * case, in test/compliance/self-check.int.spec.ts.
 */

const STAPLED_OCSP_BYTES = Buffer.from('a stapled OCSP response');

async function startPermissiveServer(certificate: IssuedCertificate, extra: TlsOptions = {}): Promise<Server> {
  const server = createServer(
    {
      cert: certificate.certPem,
      key: certificate.keyPem,
      minVersion: 'TLSv1',
      ciphers: 'ALL:@SECLEVEL=0',
      dhparam: 'auto',
      ...extra,
    },
    (socket) => {
      socket.on('error', () => undefined);
      socket.resume();
    },
  );
  server.on('tlsClientError', () => undefined);
  server.on('OCSPRequest', (_certificate: Buffer, _issuer: Buffer, reply: (error: Error | null, response: Buffer) => void) =>
    reply(null, STAPLED_OCSP_BYTES),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function suiteResult(probe: TlsProbeResult, name: string) {
  return probe.tls12Suites.find((result) => result.suite.name === name);
}

describe('probeTls against a permissive server', () => {
  let rsaCertificate: IssuedCertificate;
  let server: Server;
  let target: TlsTarget;
  let probe: TlsProbeResult;
  const progress: string[] = [];

  beforeAll(async () => {
    rsaCertificate = await issueCertificate({ subject: 'CN=localhost', dnsNames: ['localhost'], key: 'rsa-2048' });
    server = await startPermissiveServer(rsaCertificate);
    target = { host: 'localhost', port: (server.address() as AddressInfo).port, ca: rsaCertificate.certPem };
    probe = await probeTls(target, (message) => progress.push(message));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('[TH-5] [TH-21] sees TLS 1.0 to 1.3 accepted, and SSL 3.0 refused (OpenSSL 3 has none)', () => {
    expect(probe.protocols).toEqual({ SSLv3: false, TLSv1: true, 'TLSv1.1': true, 'TLSv1.2': true, 'TLSv1.3': true });
  });

  it('[TH-13] [TH-14] [TH-21] sees static-RSA, DHE (with its group size) and CBC suites accepted, ECDSA ones refused', () => {
    expect(suiteResult(probe, 'AES128-GCM-SHA256')).toMatchObject({ accepted: true, method: 'handshake' });
    expect(suiteResult(probe, 'DHE-RSA-AES128-GCM-SHA256')).toMatchObject({ accepted: true, dhGroupBits: 2048 });
    expect(suiteResult(probe, 'ECDHE-RSA-AES128-SHA256')?.accepted).toBe(true);
    expect(suiteResult(probe, 'ECDHE-ECDSA-AES128-GCM-SHA256')?.accepted).toBe(false);
  });

  it('[TH-21] asks with a hand-made ClientHello for the suites this Node cannot offer (3DES, RC4)', () => {
    for (const name of ['DES-CBC3-SHA', 'RC4-SHA', 'ECDHE-RSA-DES-CBC3-SHA']) {
      expect(suiteResult(probe, name)).toMatchObject({ accepted: false, method: 'server-hello' });
    }
    expect(progress).toContain('TLS 1.2 RC4-SHA: refused (ServerHello only: this Node cannot offer it)');
  });

  it('[TH-21] gets the same answer from a hand-made ClientHello as from a full handshake', async () => {
    for (const suite of TLS12_PROBE_SUITES.filter((candidate) => suiteResult(probe, candidate.name)?.method === 'handshake')) {
      const answer = await sendClientHello(target, TLS12_VERSION, [suite.code]);
      const acceptedByHello = answer?.kind === 'server-hello' && answer.cipherSuite === suite.code;
      expect(acceptedByHello, suite.name).toBe(suiteResult(probe, suite.name)?.accepted);
    }
  });

  it('[TH-3] [TH-12] [TH-21] reads the certificate, its trust against the given CA, and the stapled OCSP response', () => {
    expect(probe.certificate).toMatchObject({ keyType: 'rsa', keyBits: 2048, trusted: true, matchesHost: true, subject: 'CN=localhost' });
    expect(probe.ocspStapled).toBe(true);
  });

  it('[TH-13] [TH-21] sees client-initiated renegotiation and TLS 1.2 session tickets, which Node allows by default', () => {
    expect(probe.clientRenegotiation).toBe('accepted');
    expect(probe.tls12SessionTickets).toBe(true);
  });

  it('[TH-3] [TH-21] reports an untrusted chain when the CA is not given', async () => {
    const untrusted = await probeTls({ host: 'localhost', port: target.port });
    expect(untrusted.certificate.trusted).toBe(false);
    expect(untrusted.certificate.trustError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});
