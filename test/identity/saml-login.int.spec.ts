import { inflateRawSync } from 'node:zlib';
import { ENTRA_SAML_CLAIMS, LoggingIdentityEvents, SsoAdministration, SsoConnectionRepository, TenantDirectory } from '@veilig/identity';
import { openAppDataSource } from '@veilig/platform-database';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64, TestIdp } from '../../libs/identity/src/lib/saml/testing/test-idp.js';
import { secretBoxFrom } from '../../apps/api/src/start-api.js';
import { send, type TestResponse } from '../support/http-client.js';
import { startTestApi, type TestApi } from '../support/test-api.js';

const ORIGIN = 'https://localhost:3443';

function requestIdOf(location: string): string {
  const request = inflateRawSync(Buffer.from(new URL(location).searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  return /\sID="([^"]+)"/.exec(request)![1]!;
}

function sessionCookie(response: TestResponse): string | undefined {
  return (response.headers['set-cookie'] ?? []).map((cookie) => /^(__Host-session=[^;]+)/.exec(cookie)?.[1]).find(Boolean);
}

describe('SAML sign-in over HTTP', () => {
  let service: TestApi;
  let owner: DataSource;
  const idps: Record<string, { idp: TestIdp; connectionId: string }> = {};
  const request = (path: string, options: { form?: Record<string, string>; cookie?: string } = {}) =>
    send('https', service.port(), {
      path,
      method: options.form ? 'POST' : 'GET',
      ca: service.servedCertificatePem(),
      headers: {
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
      },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
    });
  const startLogin = async (tenant: string) => {
    const started = await request(`/sso/saml/${idps[tenant]!.connectionId}/start`);
    expect(started.status).toBe(303);
    return requestIdOf(String(started.headers['location']));
  };
  const entraAttributes = (oid: string) => ({
    [ENTRA_SAML_CLAIMS.objectId]: [oid],
    [ENTRA_SAML_CLAIMS.givenName]: ['Fatima'],
    [ENTRA_SAML_CLAIMS.surname]: ['El Amrani'],
    [ENTRA_SAML_CLAIMS.email]: ['f.elamrani@gemeente-a.example.nl'],
    [ENTRA_SAML_CLAIMS.department]: ['Sociaal Domein'],
  });

  beforeAll(async () => {
    service = await startTestApi({ PUBLIC_ORIGIN: ORIGIN });
    owner = await openAppDataSource({ url: service.database.migrationUrl });
    const administration = new SsoAdministration(
      new TenantDirectory(owner),
      new SsoConnectionRepository(owner, secretBoxFrom(service.config)),
      new LoggingIdentityEvents(pino({ level: 'silent' })),
      { actor: { operator: 'test' }, production: false },
    );
    for (const slug of ['gemeente-a', 'gemeente-b']) {
      await administration.addTenant({ slug, name: slug, authMode: 'federated' });
      const placeholder = await TestIdp.create({ entityId: 'urn:placeholder', acsUrl: `${ORIGIN}/x`, sloUrl: `${ORIGIN}/y` });
      const { connection } = await administration.addSamlConnection(slug, 'entra', { metadataXml: placeholder.federationMetadataXml() });
      const base = `${ORIGIN}/sso/saml/${connection.id}`;
      idps[slug] = {
        idp: placeholder.forServiceProvider({ entityId: `${base}/metadata`, acsUrl: `${base}/acs`, sloUrl: `${base}/slo` }),
        connectionId: connection.id,
      };
    }
  });
  afterAll(async () => {
    await owner?.destroy();
    await service?.close();
  });

  it('[SE-7.1] publishes SP metadata with the ACS and the signing certificate to register in Entra ID', async () => {
    const response = await request(`/sso/saml/${idps['gemeente-a']!.connectionId}/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/samlmetadata+xml; charset=utf-8');
    expect(response.body).toContain(`Location="${ORIGIN}/sso/saml/${idps['gemeente-a']!.connectionId}/acs"`);
    expect(response.body).toContain('AuthnRequestsSigned="true"');
  });

  it('[SE-7.1] [SV-4] signs in by SAML, provisions the user by Entra object id and starts a session', async () => {
    const { idp, connectionId } = idps['gemeente-a']!;
    const requestId = await startLogin('gemeente-a');
    const response = await request(`/sso/saml/${connectionId}/acs`, {
      form: { SAMLResponse: base64(idp.response({ inResponseTo: requestId, attributes: entraAttributes('oid-fatima') })) },
    });
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/');
    const me = await request('/api/session', { cookie: sessionCookie(response)! });
    expect(me.json()).toMatchObject({
      user: { displayName: 'Fatima El Amrani', email: 'f.elamrani@gemeente-a.example.nl', department: 'Sociaal Domein' },
      session: { authMethod: 'saml' },
    });
    const logon = (await service.auditEvents()).find((event) => event.action === 'auth.logon' && event.details?.['protocol'] === 'saml');
    expect(logon).toMatchObject({ actor: { type: 'user', displayName: 'Fatima El Amrani', email: 'f.elamrani@gemeente-a.example.nl' }, outcome: 'success' });
  });

  it('[SE-7.1] [SV-7.9] logs out locally first, then at Entra by a signed LogoutRequest, and accepts its LogoutResponse', async () => {
    const { idp, connectionId } = idps['gemeente-a']!;
    const requestId = await startLogin('gemeente-a');
    const signedIn = await request(`/sso/saml/${connectionId}/acs`, {
      form: { SAMLResponse: base64(idp.response({ inResponseTo: requestId, attributes: entraAttributes('oid-logout'), sessionIndex: '_idp-session-1' })) },
    });
    const session = sessionCookie(signedIn)!;
    const logout = await request('/logout', { form: {}, cookie: session });
    expect(logout.status).toBe(303);
    const toIdp = new URL(String(logout.headers['location']));
    expect(toIdp.origin + toIdp.pathname).toBe(idp.ssoUrl);
    expect(toIdp.searchParams.get('Signature')).toBeTruthy();
    const logoutRequest = inflateRawSync(Buffer.from(toIdp.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(logoutRequest).toContain('_idp-session-1');
    expect((await request('/api/session', { cookie: session })).status).toBe(401);
    const logoutRequestId = /\sID="([^"]+)"/.exec(logoutRequest)![1]!;
    const back = await request(`/sso/saml/${connectionId}/slo?${idp.logoutResponseQuery({ inResponseTo: logoutRequestId })}`);
    expect(back.status).toBe(303);
    expect(back.headers['location']).toBe('/');
    expect((await service.auditEvents()).some((event) => event.action === 'auth.logoff' && event.outcome === 'failure')).toBe(false);
  });

  it('[SE-3.3] names the device of the sign-in (Entra device id) in every audit event of the session', async () => {
    const { idp, connectionId } = idps['gemeente-a']!;
    const requestId = await startLogin('gemeente-a');
    const attributes = { ...entraAttributes('oid-device'), [ENTRA_SAML_CLAIMS.deviceId]: ['5f1d2c3b-aaaa-4bbb-8ccc-0d1e2f3a4b5c'] };
    const signedIn = await request(`/sso/saml/${connectionId}/acs`, { form: { SAMLResponse: base64(idp.response({ inResponseTo: requestId, attributes })) } });
    const cookie = sessionCookie(signedIn)!;
    const userId = (await request('/api/session', { cookie })).json<{ user: { id: string } }>().user.id;
    // A user without roles is refused the access review: an event the session makes after sign-in.
    expect((await request('/api/access/review', { cookie })).status).toBe(403);
    const events = (await service.auditEvents()).filter((event) => event.actor.userId === userId);
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(['auth.logon', 'access.denied']));
    for (const event of events) expect(event.device?.deviceId, event.action).toBe('5f1d2c3b-aaaa-4bbb-8ccc-0d1e2f3a4b5c');
  });

  it('[SE-7.2] [SV-7.9] refuses a replayed response with a generic page and audits the reason', async () => {
    const { idp, connectionId } = idps['gemeente-a']!;
    const requestId = await startLogin('gemeente-a');
    const samlResponse = base64(idp.response({ inResponseTo: requestId, attributes: entraAttributes('oid-replay') }));
    expect((await request(`/sso/saml/${connectionId}/acs`, { form: { SAMLResponse: samlResponse } })).status).toBe(303);
    const replay = await request(`/sso/saml/${connectionId}/acs`, { form: { SAMLResponse: samlResponse } });
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('Aanmelden is niet gelukt');
    expect(sessionCookie(replay)).toBeUndefined();
    const rejected = (await service.auditEvents()).filter((event) => event.action === 'auth.rejected').map((event) => event.reason);
    expect(rejected.some((reason) => ['replayed', 'in-response-to-unknown'].includes(reason ?? ''))).toBe(true);
  });

  it("[SE-7.2] [SE-6.2] refuses at tenant B's ACS an assertion that tenant A's IdP issued for A's request", async () => {
    const requestId = await startLogin('gemeente-a');
    const forA = base64(idps['gemeente-a']!.idp.response({ inResponseTo: requestId, attributes: entraAttributes('oid-cross') }));
    const atB = await request(`/sso/saml/${idps['gemeente-b']!.connectionId}/acs`, { form: { SAMLResponse: forA } });
    expect(atB.status).toBe(400);
    expect(sessionCookie(atB)).toBeUndefined();
  });

  it('[SV-4] refuses sign-in from outside the tenant\'s IP allow-list, and audits it', async () => {
    await owner.query(`UPDATE tenants SET ip_allow_list = '{10.20.0.0/16}' WHERE slug = 'gemeente-b'`);
    try {
      const refused = await request(`/sso/saml/${idps['gemeente-b']!.connectionId}/start`);
      expect(refused.status).toBe(403);
      const rejected = (await service.auditEvents()).find((event) => event.action === 'auth.rejected' && event.reason === 'ip-not-allowed');
      expect(rejected).toBeDefined();
    } finally {
      await owner.query(`UPDATE tenants SET ip_allow_list = NULL WHERE slug = 'gemeente-b'`);
    }
    expect((await request(`/sso/saml/${idps['gemeente-b']!.connectionId}/start`)).status).toBe(303);
  });

  it('[SE-7.2] refuses hostile XML (a DTD) and garbage with a clear 4xx, never a 500', async () => {
    const { connectionId } = idps['gemeente-b']!;
    const dtd = base64('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&a;</samlp:Response>');
    for (const SAMLResponse of [dtd, 'not base64 !!!', '']) {
      const response = await request(`/sso/saml/${connectionId}/acs`, { form: { SAMLResponse } });
      expect(response.status).toBe(400);
    }
    expect((await request('/sso/saml/00000000-0000-4000-8000-000000000000/acs', { form: { SAMLResponse: dtd } })).status).toBe(404);
    expect((await request('/sso/saml/not-a-uuid/start')).status).toBe(404);
  });
});
