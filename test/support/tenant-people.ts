import { randomUUID } from 'node:crypto';
import { createAccessAdministration } from '@veilig/access';
import { AuditWriter } from '@veilig/audit';
import { PostgresSessionStore, SsoConnectionRepository, TenantDirectory, UserDirectory } from '@veilig/identity';
import { openAppDataSource } from '@veilig/platform-database';
import { TenantScope } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { APPLICATION_PERMISSIONS } from '../../apps/api/src/application-parts.js';
import { secretBoxFrom } from '../../apps/api/src/start-api.js';
import { send, type TestResponse } from './http-client.js';
import type { TestApi } from './test-api.js';

export interface Person {
  readonly tenantId: string;
  readonly userId: string;
  readonly cookie: string;
  /** A JSON request as this person, over HTTPS to the running service. */
  call(method: string, path: string, body?: unknown): Promise<TestResponse>;
}

export interface PersonOptions {
  readonly roles?: readonly string[];
  readonly department?: string;
  readonly name?: string;
}

/**
 * Tenants and signed-in people for tests of the running service: users are provisioned as a
 * federated sign-in would, roles granted through the operator's path (audited like the CLI's),
 * and a real session made, so every request goes through the whole authentication, permission
 * and row-level security path.
 */
export class TenantPeople {
  private constructor(
    private readonly service: TestApi,
    private readonly owner: DataSource,
  ) {}

  static async open(service: TestApi): Promise<TenantPeople> {
    return new TenantPeople(service, await openAppDataSource({ url: service.database.migrationUrl }));
  }

  async tenant(slug: string): Promise<string> {
    return (await new TenantDirectory(this.owner).create({ slug, name: `Tenant ${slug}`, authMode: 'federated' })).id;
  }

  async person(tenantId: string, options: PersonOptions = {}): Promise<Person> {
    const subject = randomUUID();
    const user = await new UserDirectory(this.owner).provisionFederated(tenantId, {
      protocol: 'oidc',
      subject,
      entraObjectId: subject,
      entraTenantId: undefined,
      givenName: options.name ?? 'Test',
      surname: subject.slice(0, 8),
      email: `${subject.slice(0, 8)}@example.nl`,
      displayName: undefined,
      department: options.department,
      groups: [],
      roles: [],
      deviceId: undefined,
      idpSessionId: undefined,
    });
    for (const role of options.roles ?? []) await this.grant(tenantId, user.id, role);
    const { token } = await new PostgresSessionStore(this.owner).create({
      userId: user.id,
      tenantId,
      authMethod: 'oidc',
      idpSessionId: undefined,
      clientIp: '127.0.0.1',
      userAgent: 'veilig-test',
    });
    const cookie = `__Host-session=${token}`;
    return { tenantId, userId: user.id, cookie, call: (method, path, body) => this.call(cookie, method, path, body) };
  }

  async grant(tenantId: string, userId: string, role: string): Promise<void> {
    await this.administration().grant({ kind: 'operator', operator: 'test' }, tenantId, userId, role);
  }

  async revoke(tenantId: string, userId: string, role: string): Promise<void> {
    await this.administration().revoke({ kind: 'operator', operator: 'test' }, tenantId, userId, role);
  }

  call(cookie: string | undefined, method: string, path: string, body?: unknown): Promise<TestResponse> {
    return send('https', this.service.port(), {
      method,
      path,
      ca: this.service.servedCertificatePem(),
      headers: { ...(cookie && { cookie }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  /** The database owner, for checks beneath the application (it bypasses row-level security). */
  get database(): DataSource {
    return this.owner;
  }

  async close(): Promise<void> {
    await this.owner.destroy();
  }

  /** Role administration through the operator's path (as the CLI): for tests that call it directly. */
  administration() {
    const scope = new TenantScope(this.owner);
    return createAccessAdministration({ scope, audit: new AuditWriter(scope), people: new UserDirectory(this.owner), permissions: APPLICATION_PERMISSIONS });
  }

  /** As `call`, with extra request headers and the body sent exactly as given (forged headers, malformed JSON). */
  callWith(
    cookie: string | undefined,
    method: string,
    path: string,
    options: { readonly headers?: Record<string, string>; readonly body?: string } = {},
  ): Promise<TestResponse> {
    return send('https', this.service.port(), {
      method,
      path,
      ca: this.service.servedCertificatePem(),
      headers: {
        ...(cookie && { cookie }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: options.body }),
    });
  }

  /**
   * A SAML connection row of `tenantId`, stored through the owner the way SsoAdministration
   * stores one (settings are not used): enough for claim mappings and role assignments from an
   * IdP. Returns its id.
   */
  async ssoConnection(tenantId: string, name = `entra-${randomUUID().slice(0, 8)}`): Promise<string> {
    const repository = new SsoConnectionRepository(this.owner, secretBoxFrom(this.service.config));
    const connection = await repository.create({ tenantId, name, protocol: 'saml', settings: {}, secrets: {} });
    return connection.id;
  }
}
