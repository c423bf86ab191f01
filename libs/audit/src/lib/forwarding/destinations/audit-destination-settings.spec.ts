import { beforeAll, describe, expect, it } from 'vitest';
import { createTestAuthority, type TestAuthority, type TestKeyPair } from '../testing/test-authority.js';
import { AuditDestinationError, parseAuditDestination, type AuditDestinationInput } from './audit-destination-settings.js';

const TOKEN = 'hec-token-0123456789abcdef';

describe('audit destination settings', () => {
  let authority: TestAuthority;
  let client: TestKeyPair;
  let otherClient: TestKeyPair;

  beforeAll(async () => {
    authority = await createTestAuthority('SIEM CA');
    client = await authority.issueClient('forwarder');
    otherClient = await authority.issueClient('someone else');
  });

  function problemsOf(input: AuditDestinationInput): string {
    try {
      parseAuditDestination(input);
    } catch (error) {
      expect(error).toBeInstanceOf(AuditDestinationError);
      return (error as Error).message;
    }
    throw new Error('expected the destination to be refused');
  }

  it('[SE-3.2] accepts a syslog-over-TLS destination with mutual TLS and fills the defaults', () => {
    const parsed = parseAuditDestination({
      name: 'soc',
      kind: 'syslog-tls',
      settings: { host: 'siem.gemeente.nl', port: 6514, caPem: authority.certPem, clientCertPem: client.certPem },
      secrets: { clientKeyPem: client.keyPem },
    });
    expect(parsed).toMatchObject({ name: 'soc', kind: 'syslog-tls', format: 'json', settings: { host: 'siem.gemeente.nl', port: 6514 } });
  });

  it('[SE-3.2] names every problem of a TLS destination at once', () => {
    const message = problemsOf({ name: 'SOC!', kind: 'syslog-tls', settings: { host: 'not a host', port: 70_000, caPem: 'nope', extra: 1 } });
    expect(message).toContain('name: must be lower-case letters, digits and hyphens');
    expect(message).toContain('settings.host: must be a host name or an IP address');
    expect(message).toContain('settings.port: must be from 1 to 65535');
    expect(message).toContain('settings.caPem: must be one or more PEM certificates');
    expect(message).toMatch(/extra/);
  });

  it('requires the CA certificate for TLS kinds', () => {
    expect(problemsOf({ name: 'soc', kind: 'syslog-tls', settings: { host: '10.0.0.5', port: 6514 } })).toContain('settings.caPem');
    expect(problemsOf({ name: 'soc', kind: 'https', settings: { url: 'https://siem.example/ingest' }, secrets: { token: TOKEN } })).toContain('settings.caPem');
  });

  it('accepts only https URLs without credentials for https destinations', () => {
    const https = (url: string) => ({ name: 'soc', kind: 'https' as const, settings: { url, caPem: authority.certPem }, secrets: { token: TOKEN } });
    expect(problemsOf(https('http://siem.example/ingest'))).toContain('settings.url: must be an https URL');
    expect(problemsOf(https('https://user:pw@siem.example/ingest'))).toContain('settings.url: must be an https URL without user name or password');
    expect(parseAuditDestination(https('https://siem.example/ingest')).settings).toMatchObject({ mode: 'json' });
  });

  it('asks for a token in Splunk HEC mode and for some credential in any https mode', () => {
    const hec = { name: 'splunk', kind: 'https' as const, settings: { url: 'https://splunk.example:8088', mode: 'splunk-hec', caPem: authority.certPem } };
    expect(problemsOf(hec)).toContain('secrets.token: is required in splunk-hec mode');
    expect(problemsOf({ ...hec, settings: { ...hec.settings, url: 'https://splunk.example/other' }, secrets: { token: TOKEN } })).toContain(
      'settings.url: must be the collector',
    );
    expect(problemsOf({ ...hec, settings: { ...hec.settings, mode: 'json' } })).toContain('an https destination needs a token or a client certificate');
    expect(problemsOf({ ...hec, secrets: { token: 'short' } })).toContain('secrets.token: must be 16 to 4096 visible ASCII characters');
    expect(problemsOf({ ...hec, secrets: { token: `${TOKEN}\r\nX-Injected: 1` } })).toContain('secrets.token');
  });

  it('checks that the client key belongs to the client certificate, and that both are given', () => {
    const tls = { name: 'soc', kind: 'syslog-tls' as const, settings: { host: 'siem', port: 6514, caPem: authority.certPem, clientCertPem: client.certPem } };
    expect(problemsOf(tls)).toContain('secrets.clientKeyPem: is required with settings.clientCertPem');
    expect(problemsOf({ ...tls, secrets: { clientKeyPem: otherClient.keyPem } })).toContain('secrets.clientKeyPem: is not the key of the first certificate');
    expect(problemsOf({ ...tls, secrets: { clientKeyPem: 'not a key' } })).toContain('secrets.clientKeyPem: must be a PEM private key');
  });

  it('refuses secrets a kind does not use, and UDP sizes outside RFC 5426', () => {
    expect(problemsOf({ name: 'udp', kind: 'syslog-udp', settings: { host: '127.0.0.1', port: 514 }, secrets: { token: TOKEN } })).toContain(
      'secrets.token: is only used by https destinations',
    );
    expect(problemsOf({ name: 'udp', kind: 'syslog-udp', settings: { host: '127.0.0.1', port: 514, maxMessageBytes: 100 } })).toContain(
      'settings.maxMessageBytes: must be at least 480',
    );
  });

  it('takes a plain file name for file destinations, never a path', () => {
    expect(parseAuditDestination({ name: 'local', kind: 'file', settings: { fileName: 'audit.jsonl' } }).settings).toEqual({ fileName: 'audit.jsonl' });
    expect(problemsOf({ name: 'local', kind: 'file', settings: { fileName: '../../etc/passwd.jsonl' } })).toContain('settings.fileName: must be a plain file name');
  });

  it('refuses an unknown kind or format', () => {
    expect(problemsOf({ name: 'x', kind: 'smtp' as never, settings: {} })).toContain('kind must be one of syslog-tls, syslog-tcp, syslog-udp, https, file');
    expect(problemsOf({ name: 'x', kind: 'syslog-tcp', format: 'leef' as never, settings: { host: 'h', port: 1 } })).toContain('format: must be json or cef');
  });
});
