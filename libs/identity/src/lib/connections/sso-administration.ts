import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';
import type { OutboundRequestOptions } from '../oidc/ssrf-guard.js';
import { parseIdpMetadata } from '../saml/idp-metadata.js';
import type { AuthMode, Tenant, TenantDirectory, TenantStatus } from '../directory/tenant-directory.js';
import type { IdentityEvents } from '../web/identity-events.js';
import type { OidcSettings, SamlSettings } from '../web/federation-registry.js';
import { fetchIdpMetadata } from './fetch-idp-metadata.js';
import type { SsoConnection, SsoConnectionRepository } from './sso-connection-repository.js';

export class SsoAdministrationError extends Error {
  override readonly name = 'SsoAdministrationError';
}

export type SamlConnectionSource = { readonly metadataXml: string } | { readonly metadataUrl: string };

export interface OidcConnectionInput {
  readonly issuer: string;
  readonly expectedTenantId: string;
  readonly clientId: string;
  /** Documented fallback; without it a certificate credential (private_key_jwt) is generated. */
  readonly clientSecret?: string;
  readonly allowPrivateNetwork?: boolean;
  readonly trustedCaPem?: string;
}

/** Fixed in advance only where the IdP must know them before the connection exists (the development IdP). */
export interface PreparedConnection {
  readonly id?: string;
  readonly credential?: IssuedCertificate;
}

/**
 * Who makes a change: an operator on the server (the command line, the declarations file), or a
 * tenant admin through the API, named with the device and request the change came from.
 */
export type SsoAdministrator =
  | { readonly operator: string }
  | { readonly userId: string; readonly clientIp: string; readonly userAgent: string | undefined; readonly requestId: string };

export interface CreatedConnection {
  readonly connection: SsoConnection;
  /** What the operator registers in Entra ID: the SP signing certificate, or the client certificate credential. */
  readonly certificatePem: string | undefined;
}

/**
 * Operator actions on tenants and SSO connections, shared by the command line and the
 * declarations file applied at start. Every change is an identity event naming the operator.
 * When a customer's IdP breaks, this is how an operator repairs the connection on the server:
 * there is no login path around it (SE-7.2).
 */
export class SsoAdministration {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly connections: SsoConnectionRepository,
    private readonly events: IdentityEvents,
    private readonly options: {
      readonly actor: SsoAdministrator;
      readonly production: boolean;
      /** Development only (the dev IdP on loopback); always off in production. */
      readonly allowPrivateNetwork?: boolean;
      readonly outbound?: OutboundRequestOptions;
    },
  ) {}

  /** The same administration, acting for another administrator (a tenant admin's API request). */
  actingAs(actor: SsoAdministrator): SsoAdministration {
    return new SsoAdministration(this.tenants, this.connections, this.events, { ...this.options, actor });
  }

  async addTenant(input: { slug: string; name: string; authMode: AuthMode; emailDomains?: readonly string[] }): Promise<Tenant> {
    const tenant = await this.tenants.create(input);
    await this.emit({ action: 'tenant.created', outcome: 'success', tenantId: tenant.id, reason: input.authMode });
    return tenant;
  }

  /** Refused by the database while the tenant has users of its current mode. */
  async setAuthMode(slug: string, authMode: AuthMode): Promise<Tenant> {
    const tenant = await this.tenant(slug);
    try {
      const changed = await this.tenants.setAuthMode(tenant.id, authMode);
      await this.emit({ action: 'tenant.auth-mode.changed', outcome: 'success', tenantId: tenant.id, reason: `${tenant.authMode}->${authMode}` });
      return changed;
    } catch (error) {
      await this.emit({ action: 'tenant.auth-mode.changed', outcome: 'failure', tenantId: tenant.id, reason: (error as Error).message });
      throw new SsoAdministrationError((error as Error).message);
    }
  }

  /** The tenant's lifecycle (active, suspended, terminated); termination cannot be undone. */
  async setStatus(slug: string, status: TenantStatus): Promise<Tenant> {
    const tenant = await this.tenant(slug);
    const changed = await this.tenants.setStatus(tenant.id, status);
    if (!changed) {
      await this.emit({ action: 'tenant.status.changed', outcome: 'failure', tenantId: tenant.id, reason: `${tenant.status}->${status} refused: termination is final` });
      throw new SsoAdministrationError(`tenant "${slug}" is terminated; that cannot be undone`);
    }
    await this.emit({ action: 'tenant.status.changed', outcome: 'success', tenantId: tenant.id, reason: `${tenant.status}->${status}` });
    return changed;
  }

  async findTenant(slug: string): Promise<Tenant | undefined> {
    return this.tenants.findBySlug(slug);
  }

  /** The domains home realm discovery maps to this tenant. */
  async setEmailDomains(slug: string, domains: readonly string[]): Promise<Tenant> {
    const tenant = await this.tenant(slug);
    const changed = await this.tenants.setEmailDomains(tenant.id, domains);
    await this.emit({ action: 'tenant.email-domains.changed', outcome: 'success', tenantId: tenant.id, reason: changed.emailDomains.join(',') || 'none' });
    return changed;
  }

  async setIpAllowList(slug: string, ranges: readonly string[] | null): Promise<Tenant> {
    const tenant = await this.tenant(slug);
    try {
      const changed = await this.tenants.setIpAllowList(tenant.id, ranges);
      await this.emit({ action: 'tenant.ip-allow-list.changed', outcome: 'success', tenantId: tenant.id, reason: ranges?.join(',') ?? 'none' });
      return changed;
    } catch (error) {
      throw new SsoAdministrationError(`not a valid list of address ranges: ${(error as Error).message}`);
    }
  }

  async addSamlConnection(
    slug: string,
    name: string,
    source: SamlConnectionSource,
    options: { readonly spEntityId?: string } & PreparedConnection = {},
  ): Promise<CreatedConnection> {
    const { spEntityId } = options;
    const tenant = await this.federatedTenant(slug);
    const metadata =
      'metadataXml' in source
        ? parseIdpMetadata(source.metadataXml)
        : await fetchIdpMetadata(source.metadataUrl, {
            allowPrivateNetwork: !this.options.production && this.options.allowPrivateNetwork === true,
            ...(this.options.outbound ? { outbound: this.options.outbound } : {}),
          });
    // Entra verifies the AuthnRequest signature with this certificate; RSA, as Entra requires for request signing.
    const signing =
      options.credential ?? (await issueCertificate({ subject: `CN=Veilig SAML ${tenant.slug} ${name}`, key: 'rsa-3072', notAfter: yearsFromNow(3) }));
    const settings: SamlSettings = {
      ...(spEntityId ? { spEntityId } : {}),
      idpEntityId: metadata.idpEntityId,
      idpSsoUrl: metadata.idpSsoUrl,
      ...(metadata.idpSloUrl ? { idpSloUrl: metadata.idpSloUrl } : {}),
      idpSigningCertsPem: metadata.idpSigningCertsPem,
      spSigningCertPem: signing.certPem,
    };
    const connection = await this.connections.create({
      ...(options.id ? { id: options.id } : {}),
      tenantId: tenant.id,
      name,
      protocol: 'saml',
      settings: settings as unknown as Record<string, unknown>,
      secrets: { spSigningKeyPem: signing.keyPem },
      ...('metadataUrl' in source ? { metadataUrl: source.metadataUrl } : {}),
    });
    await this.emit({ action: 'sso.connection.created', outcome: 'success', tenantId: tenant.id, connectionId: connection.id, protocol: 'saml' });
    return { connection, certificatePem: signing.certPem };
  }

  async addOidcConnection(slug: string, name: string, input: OidcConnectionInput, prepared: PreparedConnection = {}): Promise<CreatedConnection> {
    const tenant = await this.federatedTenant(slug);
    if (this.options.production && (input.allowPrivateNetwork || input.trustedCaPem)) {
      throw new SsoAdministrationError('allowPrivateNetwork and trustedCaPem are for the development IdP only');
    }
    const credential = input.clientSecret
      ? undefined
      : (prepared.credential ?? (await issueCertificate({ subject: `CN=Veilig OIDC ${tenant.slug} ${name}`, key: 'rsa-3072', notAfter: yearsFromNow(2) })));
    const settings: OidcSettings = {
      issuer: input.issuer,
      expectedTenantId: input.expectedTenantId,
      clientId: input.clientId,
      ...(credential ? { certificatePem: credential.certPem } : {}),
      ...(input.allowPrivateNetwork ? { allowPrivateNetwork: true } : {}),
      ...(input.trustedCaPem ? { trustedCaPem: input.trustedCaPem } : {}),
    };
    const connection = await this.connections.create({
      ...(prepared.id ? { id: prepared.id } : {}),
      tenantId: tenant.id,
      name,
      protocol: 'oidc',
      settings: settings as unknown as Record<string, unknown>,
      secrets: credential ? { privateKeyPem: credential.keyPem } : { clientSecret: input.clientSecret! },
    });
    await this.emit({ action: 'sso.connection.created', outcome: 'success', tenantId: tenant.id, connectionId: connection.id, protocol: 'oidc' });
    return { connection, certificatePem: credential?.certPem };
  }

  /**
   * Changes what identifies the client at the IdP, never its credential: the key or secret stays
   * as created. The Entra tenant cannot change here: another tenant is another customer's
   * directory, which takes removing the connection and adding a new one.
   */
  async updateOidcConnection(slug: string, name: string, changes: { readonly issuer: string; readonly clientId: string }): Promise<SsoConnection> {
    const tenant = await this.tenant(slug);
    const connection = (await this.connections.listForTenant(tenant.id)).find((candidate) => candidate.name === name);
    if (connection?.protocol !== 'oidc') throw new SsoAdministrationError(`tenant "${slug}" has no OIDC connection "${name}"`);
    const settings = connection.settings as unknown as OidcSettings;
    const changed = (['issuer', 'clientId'] as const).filter((field) => settings[field] !== changes[field]);
    if (changed.length === 0) return connection;
    const updated = await this.connections.updateSettings(connection, { ...settings, ...changes });
    await this.emit({
      action: 'sso.connection.updated',
      outcome: 'success',
      tenantId: tenant.id,
      connectionId: connection.id,
      protocol: 'oidc',
      reason: changed.map((field) => `${field}: ${settings[field]} -> ${changes[field]}`).join('; '),
    });
    return updated;
  }

  async listConnections(slug: string): Promise<SsoConnection[]> {
    return this.connections.listForTenant((await this.tenant(slug)).id);
  }

  async removeConnection(slug: string, name: string): Promise<SsoConnection> {
    const tenant = await this.tenant(slug);
    const removed = await this.connections.remove(tenant.id, name);
    if (!removed) throw new SsoAdministrationError(`tenant "${slug}" has no SSO connection "${name}"`);
    await this.emit({ action: 'sso.connection.removed', outcome: 'success', tenantId: tenant.id, connectionId: removed.id, protocol: removed.protocol });
    return removed;
  }

  private async tenant(slug: string): Promise<Tenant> {
    const tenant = await this.tenants.findBySlug(slug);
    if (!tenant) throw new SsoAdministrationError(`no tenant "${slug}"`);
    return tenant;
  }

  private async federatedTenant(slug: string): Promise<Tenant> {
    const tenant = await this.tenant(slug);
    if (tenant.authMode !== 'federated') throw new SsoAdministrationError(`tenant "${slug}" signs in locally; switch it to federated first`);
    return tenant;
  }

  private async emit(event: Parameters<IdentityEvents['emit']>[0]): Promise<void> {
    await this.events.emit({ ...event, ...this.options.actor });
  }
}

function yearsFromNow(years: number): Date {
  return new Date(Date.now() + years * 365 * 24 * 60 * 60 * 1000);
}
