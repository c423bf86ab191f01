import { describe, expect, it } from 'vitest';
import type { Finding } from './findings.js';
import { gradeHeaders, hstsMaxAgeSeconds, type ResponseHeaders } from './grade-headers.js';

/** What a well-configured page sends: all six graded headers, none with a warning, plus TH-6's X-XSS-Protection. */
const COMPLETE: ResponseHeaders = {
  'content-security-policy': "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), geolocation=(), microphone=()',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-xss-protection': '0',
};

function without(...names: string[]): ResponseHeaders {
  return Object.fromEntries(Object.entries(COMPLETE).filter(([name]) => !names.includes(name)));
}

function findingAbout(findings: readonly Finding[], text: string): Finding | undefined {
  return findings.find((finding) => finding.message.includes(text));
}

describe('gradeHeaders (securityheaders.com method)', () => {
  it('[TH-19] [SV-3] grades all six headers without warnings as A+', () => {
    const result = gradeHeaders(COMPLETE);
    expect(result.grade).toBe('A+');
    expect(result.missing).toEqual([]);
    expect(result.findings.filter((finding) => finding.status !== 'PASS')).toEqual([]);
  });

  it.each([
    ['CSP with unsafe-inline in style-src', { 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'" }, "'unsafe-inline' in style-src"],
    ['CSP with unsafe-eval', { 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-eval'" }, "'unsafe-eval' in script-src"],
    ['CSP with a wildcard script source', { 'content-security-policy': "default-src 'self'; script-src *" }, 'wildcard sources (script-src *)'],
    ['CSP with a scheme-only default source', { 'content-security-policy': 'default-src https:' }, 'wildcard sources (default-src https:)'],
    ['CSP that restricts no scripts', { 'content-security-policy': "img-src 'self'" }, 'neither default-src nor script-src'],
    ['HSTS under one year', { 'strict-transport-security': 'max-age=86400' }, 'max-age 86400 s is under one year'],
    ['Referrer-Policy unsafe-url', { 'referrer-policy': 'unsafe-url' }, 'unsafe-url sends full URLs'],
    ['Permissions-Policy granting a feature to every origin', { 'permissions-policy': 'camera=*, geolocation=()' }, 'grants camera to every origin'],
  ])('[TH-7] [TH-19] grades all six present with a warning (%s) as A, not A+', (_case, override, warning) => {
    const result = gradeHeaders({ ...COMPLETE, ...override });
    expect(result.grade).toBe('A');
    expect(result.missing).toEqual([]);
    expect(findingAbout(result.findings, warning)?.status).toBe('WARN');
  });

  it("[TH-7] [TH-19] ignores 'unsafe-inline' next to a nonce, as CSP Level 2 browsers do", () => {
    const csp = "default-src 'self'; script-src 'nonce-r4nd0m' 'strict-dynamic' 'unsafe-inline'";
    expect(gradeHeaders({ ...COMPLETE, 'content-security-policy': csp }).grade).toBe('A+');
  });

  it('[TH-6] [TH-19] accepts CSP frame-ancestors in place of X-Frame-Options', () => {
    const result = gradeHeaders(without('x-frame-options'));
    expect(result.grade).toBe('A+');
    expect(findingAbout(result.findings, 'frame-ancestors')?.status).toBe('PASS');
  });

  it('[TH-19] grades a response missing Permissions-Policy as B: one missing header is one step below A', () => {
    const result = gradeHeaders(without('permissions-policy'));
    expect(result.grade).toBe('B');
    expect(result.missing).toEqual(['Permissions-Policy']);
    expect(findingAbout(result.findings, 'Permissions-Policy missing')?.status).toBe('FAIL');
  });

  it.each([
    [['permissions-policy', 'referrer-policy'], 'C'],
    [['permissions-policy', 'referrer-policy', 'x-content-type-options'], 'D'],
    [['permissions-policy', 'referrer-policy', 'x-content-type-options', 'strict-transport-security'], 'E'],
    [['permissions-policy', 'referrer-policy', 'x-content-type-options', 'strict-transport-security', 'content-security-policy'], 'F'],
  ])('[TH-19] grades a response missing %j as %s', (missing, grade) => {
    expect(gradeHeaders(without(...missing)).grade).toBe(grade);
  });

  it('[TH-6] [TH-19] grades a response with none of the six headers as F, naming every one', () => {
    const result = gradeHeaders({ 'content-type': 'text/plain' });
    expect(result.grade).toBe('F');
    expect(result.missing).toEqual([
      'Content-Security-Policy',
      'X-Frame-Options',
      'X-Content-Type-Options',
      'Referrer-Policy',
      'Permissions-Policy',
      'Strict-Transport-Security',
    ]);
  });

  it.each([
    ['X-Content-Type-Options other than nosniff', { 'x-content-type-options': 'sniff' }, 'X-Content-Type-Options'],
    ['HSTS max-age=0, which switches HSTS off', { 'strict-transport-security': 'max-age=0' }, 'Strict-Transport-Security'],
    ['HSTS without max-age', { 'strict-transport-security': 'includeSubDomains' }, 'Strict-Transport-Security'],
    ['a Referrer-Policy no browser knows', { 'referrer-policy': 'sometimes' }, 'Referrer-Policy'],
  ])('[TH-6] [TH-8] [TH-19] counts a header without effect (%s) as missing', (_case, override, name) => {
    const result = gradeHeaders({ ...COMPLETE, ...override });
    expect(result.missing).toEqual([name]);
    expect(result.grade).toBe('B');
  });

  it('[TH-6] [TH-19] counts X-Frame-Options ALLOW-FROM as missing when no frame-ancestors backs it up', () => {
    const result = gradeHeaders({ ...COMPLETE, 'content-security-policy': "default-src 'self'", 'x-frame-options': 'ALLOW-FROM https://example.nl' });
    expect(result.missing).toEqual(['X-Frame-Options']);
    expect(result.grade).toBe('B');
  });

  it('[TH-9] reports Server and X-Powered-By as FAIL findings without changing the grade', () => {
    const result = gradeHeaders({ ...COMPLETE, server: 'nginx/1.25.3', 'x-powered-by': 'Express' });
    expect(result.grade).toBe('A+');
    const leak = findingAbout(result.findings, 'platform revealed');
    expect(leak?.status).toBe('FAIL');
    expect(leak?.requirements).toEqual(['TH-9']);
    expect(leak?.message).toContain('server: nginx/1.25.3; x-powered-by: Express');
  });

  it('[TH-6] requires X-XSS-Protection to be present, and "0" rather than the auditor-enabling "1"', () => {
    expect(findingAbout(gradeHeaders(without('x-xss-protection')).findings, 'X-XSS-Protection missing')?.status).toBe('FAIL');
    expect(findingAbout(gradeHeaders({ ...COMPLETE, 'x-xss-protection': '1; mode=block' }).findings, 'X-XSS-Protection')?.status).toBe('WARN');
    expect(findingAbout(gradeHeaders(COMPLETE).findings, 'X-XSS-Protection')?.status).toBe('PASS');
  });

  it('[TH-8] reads the HSTS max-age however the header spells it', () => {
    expect(hstsMaxAgeSeconds('max-age=31536000')).toBe(31_536_000);
    expect(hstsMaxAgeSeconds('includeSubDomains; MAX-AGE="600"; preload')).toBe(600);
    expect(hstsMaxAgeSeconds('max-age=abc')).toBeUndefined();
    expect(hstsMaxAgeSeconds(undefined)).toBeUndefined();
  });
});
