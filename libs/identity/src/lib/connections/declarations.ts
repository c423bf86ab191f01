import { readFileSync } from 'node:fs';
import { SocketAddress, isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Tenant } from '../directory/tenant-directory.js';
import { parseIdpMetadata } from '../saml/idp-metadata.js';
import { SamlError } from '../saml/saml-error.js';
import type { OidcSettings, SamlSettings } from '../web/federation-registry.js';
import { IdpMetadataFetchError } from './fetch-idp-metadata.js';
import type { MetadataRefresher, MetadataRefreshResult } from './metadata-refresher.js';
import { SsoAdministrationError, type SsoAdministration } from './sso-administration.js';
import type { SsoConnection } from './sso-connection-repository.js';

const SLUG = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CONNECTION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const httpsUrl = z.string().refine((value) => URL.parse(value)?.protocol === 'https:', 'must be an https URL');
const filePath = z.string().min(1, 'must be a file path');
const connectionName = z.string().regex(CONNECTION_NAME, 'must be lower-case letters, digits and hyphens, at most 63');

const samlConnectionSchema = z
  .strictObject({
    name: connectionName,
    protocol: z.literal('saml'),
    metadataUrl: httpsUrl.optional(),
    metadataFile: filePath.optional(),
    spEntityId: z.string().refine((value) => URL.canParse(value), 'must be an absolute URI').optional(),
  })
  .refine((connection) => (connection.metadataUrl === undefined) !== (connection.metadataFile === undefined), 'give exactly one of metadataUrl and metadataFile');

const oidcConnectionSchema = z.strictObject({
  name: connectionName,
  protocol: z.literal('oidc'),
  issuer: httpsUrl,
  entraTenantId: z.string().regex(GUID, 'must be the Entra tenant id (a GUID)'),
  clientId: z.string().min(1, 'must not be empty'),
  /** Without it a certificate credential (private_key_jwt) is generated, as Entra recommends. */
  clientSecretFile: filePath.optional(),
});

const tenantSchema = z
  .strictObject({
    slug: z.string().regex(SLUG, 'must be lower-case letters, digits and hyphens, at most 63'),
    /** Used when the tenant is created; an existing tenant keeps its name. */
    name: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    authMode: z.enum(['federated', 'local-2fa']),
    /** Unset: left as they are. */
    emailDomains: z.array(z.string().regex(DOMAIN, 'must be a domain name such as gemeente.nl')).optional(),
    /** Unset: left as it is; null: every address may sign in. */
    ipAllowList: z
      .array(z.string().refine(isAddressRange, 'must be an IP address or CIDR range'))
      .min(1, 'must not be empty; write null to allow every address')
      .nullable()
      .optional(),
    connections: z.array(z.discriminatedUnion('protocol', [samlConnectionSchema, oidcConnectionSchema])).optional(),
  })
  .superRefine((tenant, context) => {
    if (tenant.authMode === 'local-2fa' && tenant.connections?.length) {
      context.addIssue({ code: 'custom', path: ['connections'], message: 'a local-2fa tenant signs in without an IdP; it has no SSO connections' });
    }
    for (const index of duplicateIndexes((tenant.connections ?? []).map((connection) => connection.name))) {
      context.addIssue({ code: 'custom', path: ['connections', index, 'name'], message: 'declared twice for this tenant' });
    }
  });

/** The SSO declarations file (SSO_DECLARATIONS_FILE): tenants and their SSO connections as infrastructure as code. */
export const DECLARATIONS_SCHEMA = z
  .strictObject({ tenants: z.array(tenantSchema) })
  .superRefine((declarations, context) => {
    for (const index of duplicateIndexes(declarations.tenants.map((tenant) => tenant.slug))) {
      context.addIssue({ code: 'custom', path: ['tenants', index, 'slug'], message: 'declared twice' });
    }
  });

export type Declarations = z.output<typeof DECLARATIONS_SCHEMA>;
export type TenantDeclaration = Declarations['tenants'][number];
export type ConnectionDeclaration = NonNullable<TenantDeclaration['connections']>[number];

export class DeclarationsError extends Error {
  override readonly name = 'DeclarationsError';

  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Reads and validates a declarations file. Every problem is listed with its JSON path, so an
 * operator fixes them in one pass. metadataFile and clientSecretFile are relative to the file.
 */
export function loadDeclarations(file: string): Declarations {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DeclarationsError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DeclarationsError(file, [`is not JSON: ${(error as Error).message}`]);
  }
  const parsed = DECLARATIONS_SCHEMA.safeParse(json);
  if (!parsed.success) throw new DeclarationsError(file, parsed.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`));
  const directory = dirname(resolve(file));
  return {
    tenants: parsed.data.tenants.map((tenant) => ({
      ...tenant,
      ...(tenant.connections
        ? {
            connections: tenant.connections.map((connection) =>
              connection.protocol === 'saml'
                ? { ...connection, ...(connection.metadataFile ? { metadataFile: resolve(directory, connection.metadataFile) } : {}) }
                : { ...connection, ...(connection.clientSecretFile ? { clientSecretFile: resolve(directory, connection.clientSecretFile) } : {}) },
            ),
          }
        : {}),
    })),
  };
}

export type DeclarationOutcome = 'created' | 'updated' | 'unchanged' | 'refused' | 'failed';

export interface DeclarationResult {
  readonly tenant: string;
  /** Set for a connection, unset for the tenant itself. */
  readonly connection?: string;
  /**
   * `refused`: a declared change was not applied because a rule forbids it (users exist, another
   * IdP or Entra tenant, a setting already registered in Entra); `failed`: it could not be checked
   * (metadata unreachable, a file unreadable). Either way, what else was declared for the item is applied.
   */
  readonly outcome: DeclarationOutcome;
  /** What was changed, also when something else was refused. */
  readonly changes: readonly string[];
  readonly reason?: string;
  readonly connectionId?: string;
  /** Of a created connection: what the operator registers in Entra ID (SAML request signing, or the OIDC client credential). */
  readonly certificatePem?: string;
}

/**
 * Brings tenants and SSO connections in line with the declarations, the same way an operator
 * would with the CLI (each change is an identity event). Safe to run at every start: a second run
 * changes nothing and reports every item unchanged.
 *
 * - Missing tenants and connections are created; an existing tenant changes sign-in mode only
 *   through `setAuthMode`, which the database refuses while users exist: reported as refused.
 * - An existing SAML connection with a metadata URL is refreshed the way the scheduled refresher
 *   does it; one declared from a file takes the file's metadata through the same path.
 * - An existing OIDC connection takes a changed issuer or client id.
 * - Credentials of an existing connection (SP signing key, client key or secret) are never
 *   regenerated or replaced: a new credential must be registered in Entra ID first.
 * - A connection or tenant missing from the file is never deleted: removal is an explicit
 *   operator action (`sso:remove`), not a side effect of a line missing from a file.
 */
export async function applyDeclarations(
  declarations: Declarations,
  administration: SsoAdministration,
  refresher: MetadataRefresher,
): Promise<DeclarationResult[]> {
  const results: DeclarationResult[] = [];
  for (const tenant of declarations.tenants) {
    results.push(await settle({ tenant: tenant.slug }, () => applyTenant(tenant, administration)));
    for (const connection of tenant.connections ?? []) {
      results.push(await settle({ tenant: tenant.slug, connection: connection.name }, () => applyConnection(tenant.slug, connection, administration, refresher)));
    }
  }
  return results;
}

/** What applying one item found, before it becomes a {@link DeclarationResult}. */
interface Applied {
  created?: { readonly connectionId?: string; readonly certificatePem?: string | undefined };
  readonly changes: string[];
  readonly refusals: string[];
  failure?: string;
}

async function applyTenant(declared: TenantDeclaration, administration: SsoAdministration): Promise<Applied> {
  const applied: Applied = { changes: [], refusals: [] };
  const ranges = declared.ipAllowList;
  const tenant = await administration.findTenant(declared.slug);
  if (!tenant) {
    const created = await administration.addTenant({ slug: declared.slug, name: declared.name, authMode: declared.authMode, emailDomains: declared.emailDomains ?? [] });
    applied.created = {};
    if (ranges) await refusable(applied, () => setIpAllowList(created, ranges, administration));
    return applied;
  }
  if (tenant.authMode !== declared.authMode) {
    await refusable(applied, async () => {
      await administration.setAuthMode(tenant.slug, declared.authMode);
      return `authMode: ${tenant.authMode} -> ${declared.authMode}`;
    });
  }
  if (declared.emailDomains && !sameSet(tenant.emailDomains, declared.emailDomains.map((domain) => domain.toLowerCase()))) {
    const changed = await administration.setEmailDomains(tenant.slug, declared.emailDomains);
    applied.changes.push(`emailDomains: ${listed(tenant.emailDomains)} -> ${listed(changed.emailDomains)}`);
  }
  if (ranges !== undefined && !sameRanges(tenant.ipAllowList, ranges)) {
    await refusable(applied, () => setIpAllowList(tenant, ranges, administration));
  }
  return applied;
}

async function setIpAllowList(tenant: Tenant, ranges: readonly string[] | null, administration: SsoAdministration): Promise<string> {
  const changed = await administration.setIpAllowList(tenant.slug, ranges);
  return `ipAllowList: ${tenant.ipAllowList ? listed(tenant.ipAllowList) : 'anywhere'} -> ${changed.ipAllowList ? listed(changed.ipAllowList) : 'anywhere'}`;
}

async function applyConnection(
  slug: string,
  declared: ConnectionDeclaration,
  administration: SsoAdministration,
  refresher: MetadataRefresher,
): Promise<Applied> {
  const applied: Applied = { changes: [], refusals: [] };
  const existing = (await administration.listConnections(slug)).find((connection) => connection.name === declared.name);
  if (!existing) {
    const created =
      declared.protocol === 'saml'
        ? await administration.addSamlConnection(
            slug,
            declared.name,
            declared.metadataUrl ? { metadataUrl: declared.metadataUrl } : { metadataXml: readDeclaredFile(declared.metadataFile ?? '') },
            declared.spEntityId ? { spEntityId: declared.spEntityId } : {},
          )
        : await administration.addOidcConnection(slug, declared.name, {
            issuer: declared.issuer,
            expectedTenantId: declared.entraTenantId,
            clientId: declared.clientId,
            ...(declared.clientSecretFile ? { clientSecret: readDeclaredFile(declared.clientSecretFile).trim() } : {}),
          });
    applied.created = { connectionId: created.connection.id, certificatePem: created.certificatePem };
    return applied;
  }
  if (existing.protocol !== declared.protocol) {
    applied.refusals.push(`exists as an ${existing.protocol} connection; changing protocol takes removing it and adding a new one`);
    return applied;
  }
  if (declared.protocol === 'saml') await applySaml(existing, declared, applied, refresher);
  else await applyOidc(slug, existing, declared, applied, administration);
  return applied;
}

async function applySaml(
  existing: SsoConnection,
  declared: Extract<ConnectionDeclaration, { protocol: 'saml' }>,
  applied: Applied,
  refresher: MetadataRefresher,
): Promise<void> {
  const settings = existing.settings as unknown as SamlSettings;
  if (declared.spEntityId !== settings.spEntityId) {
    applied.refusals.push(
      `spEntityId: declared ${declared.spEntityId ?? 'default'}, registered in Entra as ${settings.spEntityId ?? 'default'}; changing it takes removing the connection and adding a new one`,
    );
  }
  const declaredSource = declared.metadataUrl ?? `file ${declared.metadataFile}`;
  if ((declared.metadataUrl ?? null) !== existing.metadataUrl) {
    applied.refusals.push(
      `metadata: declared from ${declaredSource}, the connection follows ${existing.metadataUrl ?? 'a file'}; where the IdP's certificates come from changes only by removing the connection and adding a new one`,
    );
    return;
  }
  const refreshed = declared.metadataUrl
    ? await refresher.refresh(existing)
    : await refresher.applyMetadata(existing, parseIdpMetadata(readDeclaredFile(declared.metadataFile ?? '')));
  record(applied, refreshed);
}

async function applyOidc(
  slug: string,
  existing: SsoConnection,
  declared: Extract<ConnectionDeclaration, { protocol: 'oidc' }>,
  applied: Applied,
  administration: SsoAdministration,
): Promise<void> {
  const settings = existing.settings as unknown as OidcSettings;
  if (declared.entraTenantId.toLowerCase() !== settings.expectedTenantId.toLowerCase()) {
    applied.refusals.push(
      `entraTenantId: declared ${declared.entraTenantId}, the connection trusts ${settings.expectedTenantId}; another Entra tenant takes removing the connection and adding a new one`,
    );
    return;
  }
  const changed = (['issuer', 'clientId'] as const).filter((field) => settings[field] !== declared[field]);
  if (changed.length === 0) return;
  await administration.updateOidcConnection(slug, declared.name, { issuer: declared.issuer, clientId: declared.clientId });
  applied.changes.push(...changed.map((field) => `${field}: ${settings[field]} -> ${declared[field]}`));
}

function record(applied: Applied, refreshed: MetadataRefreshResult): void {
  const detail = refreshed.detail ?? '';
  if (refreshed.outcome === 'updated') applied.changes.push(`metadata: ${detail}`);
  else if (refreshed.outcome === 'refused') applied.refusals.push(`metadata: ${detail}`);
  else if (refreshed.outcome === 'failed') applied.failure = `metadata: ${detail}`;
}

/** Runs one change that a rule may refuse, so the item's other changes still happen. */
async function refusable(applied: Applied, change: () => Promise<string>): Promise<void> {
  try {
    applied.changes.push(await change());
  } catch (error) {
    if (!(error instanceof SsoAdministrationError)) throw error;
    applied.refusals.push(error.message);
  }
}

/**
 * Turns an item's outcome into its result. What an operator can fix is reported per item, so one
 * bad entry does not stop the others; anything else (the database gone) is thrown.
 */
async function settle(item: { readonly tenant: string; readonly connection?: string }, apply: () => Promise<Applied>): Promise<DeclarationResult> {
  let applied: Applied;
  try {
    applied = await apply();
  } catch (error) {
    if (error instanceof SsoAdministrationError) return { ...item, outcome: 'refused', changes: [], reason: error.message };
    if (error instanceof IdpMetadataFetchError || error instanceof SamlError || error instanceof DeclarationsError) {
      return { ...item, outcome: 'failed', changes: [], reason: error.message };
    }
    throw error;
  }
  const reasons = [...(applied.failure ? [applied.failure] : []), ...applied.refusals];
  const outcome: DeclarationOutcome = applied.failure
    ? 'failed'
    : applied.refusals.length > 0
      ? 'refused'
      : applied.created
        ? 'created'
        : applied.changes.length > 0
          ? 'updated'
          : 'unchanged';
  return {
    ...item,
    outcome,
    changes: applied.changes,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    ...(applied.created?.connectionId ? { connectionId: applied.created.connectionId } : {}),
    ...(applied.created?.certificatePem ? { certificatePem: applied.created.certificatePem } : {}),
  };
}

function readDeclaredFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeclarationsError(path, [`cannot be read: ${(error as Error).message}`]);
  }
}

function jsonPath(path: readonly PropertyKey[]): string {
  const text = path.reduce<string>((joined, key) => (typeof key === 'number' ? `${joined}[${key}]` : joined ? `${joined}.${String(key)}` : String(key)), '');
  return text || '(top level)';
}

function duplicateIndexes(values: readonly string[]): number[] {
  return values.flatMap((value, index) => (values.indexOf(value) < index ? [index] : []));
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  const sorted = (values: readonly string[]) => [...new Set(values)].sort().join(',');
  return sorted(left) === sorted(right);
}

/** PostgreSQL stores `10.0.0.1` as `10.0.0.1/32` and compresses IPv6, so ranges are compared in one canonical form. */
function sameRanges(stored: readonly string[] | null, declared: readonly string[] | null): boolean {
  if (stored === null || declared === null) return stored === declared;
  return sameSet(stored.map(canonicalRange), declared.map(canonicalRange));
}

function canonicalRange(range: string): string {
  const [address = '', prefix] = range.split('/');
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  return `${new SocketAddress({ address, family }).address}/${prefix ?? (family === 'ipv6' ? 128 : 32)}`;
}

function isAddressRange(range: string): boolean {
  const [address = '', prefix, ...rest] = range.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
}

function listed(values: readonly string[]): string {
  return values.length > 0 ? values.join(',') : 'none';
}
