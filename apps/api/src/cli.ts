import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@veilig/platform-config';
import { openAppDataSource } from '@veilig/platform-database';
import { createLogger } from '@veilig/platform-http';
import { AccessAdministrationError, accessReviewCsv, createAccessAdministration } from '@veilig/access';
import {
  AuditDestinationError,
  AuditDestinationRepository,
  AuditRetentionError,
  AuditSigningKeyError,
  AuditWriter,
  PLATFORM_TENANT_ID,
  SYSTEM_ACTOR_ID,
  setAuditRetention,
  verifyAuditChain,
  type AuditDestinationFormat,
  type AuditDestinationInput,
  type AuditDestinationKind,
  type AuditEventInput,
} from '@veilig/audit';
import { TenantContext, TenantScope } from '@veilig/tenancy';
import {
  PasswordHasher,
  PostgresLocalAccountStore,
  SsoAdministration,
  SsoAdministrationError,
  SsoConnectionRepository,
  TenantDirectory,
  UserDirectory,
  normaliseEmail,
  type AuthMode,
} from '@veilig/identity';
import { randomBytes } from 'node:crypto';
import { APPLICATION_PERMISSIONS } from './application-parts.js';
import { IdentityAuditEvents } from './audit/identity-audit-events.js';
import { auditSigningKeyFrom, openOperatorDatabase, secretBoxFrom } from './start-api.js';

const USAGE = `Usage: npm run cli -- <command> [options]

  tenant:add      --slug <slug> --name <name> --mode federated|local-2fa [--domains a.nl,b.nl]
  tenant:list
  tenant:set-mode --tenant <slug> --mode federated|local-2fa
  tenant:set-status --tenant <slug> --status active|suspended|terminated   (suspended and terminated tenants cannot sign in; terminated is final)
  tenant:set-ip-allow-list --tenant <slug> --ranges 192.0.2.0/24,2001:db8::/48|none   (SV-4)
  sso:add         --tenant <slug> --name <name> --protocol saml (--metadata-file <file> | --metadata-url <https url>) [--sp-entity-id <uri>]
  sso:add         --tenant <slug> --name <name> --protocol oidc --issuer <https://login.microsoftonline.com/<tid>/v2.0>
                  --entra-tenant-id <tid> --client-id <id> [--client-secret-file <file>]
  sso:list        --tenant <slug>
  sso:remove      --tenant <slug> --name <name>
  user:add        --tenant <slug> --email <address> [--role <role>]   (local-2fa tenants only; prints a one-time password)
  role:grant      --tenant <slug> --email <address> --role <role>     (the first tenant admin, when no IdP mapping makes one)
  role:revoke     --tenant <slug> --email <address> --role <role>
  role:map        --tenant <slug> --connection <name> --mappings roles:<value>=<role>,groups:<object id>=<role>|none
  access:review   --tenant <slug> [--format json|csv]     (SV-7.3: every authorised person, roles, permissions, last sign-in)
  audit:verify    --tenant <slug>|platform                 (checks the tenant's audit hash chain)
  audit:destination:add    --tenant <slug> --name <name> --kind syslog-tls|syslog-tcp|syslog-udp|https|file [--format json|cef]
                  syslog: --host <host> --port <port> [--facility authpriv] (tls: --ca-file <pem> [--server-name <name>])
                  https:  --url <https url> [--mode json|splunk-hec] --ca-file <pem> (--token-file <file> | --client-cert-file/--client-key-file)
                  file:   --file-name <name>.jsonl   (written in AUDIT_FILE_DIRECTORY)
  audit:destination:list   --tenant <slug>      (SIEM destinations and their delivery state)
  audit:destination:remove --tenant <slug> --name <name>
  audit:retention --tenant <slug> --days <n>    (at least 180; default 365)
  audit:checkpoint-key                          (the public key that verifies signed checkpoints, for the SIEM)

Every change is recorded in the tenant's audit trail naming the operator (--operator, default user@host).`;

const OPTIONS = {
  slug: { type: 'string' },
  name: { type: 'string' },
  mode: { type: 'string' },
  domains: { type: 'string' },
  tenant: { type: 'string' },
  protocol: { type: 'string' },
  'metadata-file': { type: 'string' },
  'metadata-url': { type: 'string' },
  'sp-entity-id': { type: 'string' },
  issuer: { type: 'string' },
  'entra-tenant-id': { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret-file': { type: 'string' },
  email: { type: 'string' },
  ranges: { type: 'string' },
  role: { type: 'string' },
  connection: { type: 'string' },
  mappings: { type: 'string' },
  format: { type: 'string' },
  kind: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'server-name': { type: 'string' },
  facility: { type: 'string' },
  'ca-file': { type: 'string' },
  'client-cert-file': { type: 'string' },
  'client-key-file': { type: 'string' },
  url: { type: 'string' },
  'token-file': { type: 'string' },
  'file-name': { type: 'string' },
  days: { type: 'string' },
  status: { type: 'string' },
  operator: { type: 'string' },
  help: { type: 'boolean' },
} as const;

class UsageError extends Error {}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

function authMode(value: string): AuthMode {
  if (value !== 'federated' && value !== 'local-2fa') throw new UsageError('--mode must be federated or local-2fa');
  return value;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const command = positionals[0];
  if (!command || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();
  const logger = createLogger('info', process.stderr as never);
  const database = await openOperatorDatabase(config, logger);
  const dataSource = await openAppDataSource({ url: database.appUrl, poolSize: 2 });
  try {
    const secretBox = secretBoxFrom(config);
    const tenants = new TenantDirectory(dataSource);
    const users = new UserDirectory(dataSource);
    const scope = new TenantScope(dataSource);
    const audit = new AuditWriter(scope);
    const operator = values.operator ?? `${userInfo().username}@${hostname()}`;
    const connections = new SsoConnectionRepository(dataSource, secretBox);
    const administration = new SsoAdministration(tenants, connections, new IdentityAuditEvents(audit, users), {
      actor: { operator },
      production: config.production,
    });
    const access = createAccessAdministration({ scope, audit, people: users, permissions: APPLICATION_PERMISSIONS });
    const destinations = new AuditDestinationRepository(scope, secretBox);
    const operatorEvent = (tenant: string, action: string, target: AuditEventInput['target'], details: Record<string, string>): AuditEventInput => ({
      tenantId: tenant,
      action,
      outcome: 'success',
      actor: { type: 'operator', operator },
      ...(target && { target }),
      details,
    });
    const tenantId = async (slug: string) => {
      const tenant = await tenants.findBySlug(slug);
      if (!tenant) throw new SsoAdministrationError(`no tenant "${slug}"`);
      return tenant.id;
    };
    const userId = async (slug: string, email: string) => {
      const id = await tenantId(slug);
      const user = (await users.listForTenant(id)).find((candidate) => candidate.email?.toLowerCase() === normaliseEmail(email));
      if (!user) throw new SsoAdministrationError(`no user with e-mail ${email} in tenant "${slug}" (a federated user exists after their first sign-in)`);
      return { tenantId: id, userId: user.id };
    };
    const out = (line: string) => process.stdout.write(`${line}\n`);
    switch (command) {
      case 'tenant:add': {
        const tenant = await administration.addTenant({
          slug: required(values, 'slug'),
          name: required(values, 'name'),
          authMode: authMode(required(values, 'mode')),
          emailDomains: values.domains?.split(',').map((domain) => domain.trim()).filter(Boolean) ?? [],
        });
        out(`tenant ${tenant.slug} (${tenant.authMode}) created: ${tenant.id}`);
        break;
      }
      case 'tenant:list': {
        const rows = await dataSource.query<Array<{ slug: string; auth_mode: string; status: string; name: string }>>(
          'SELECT slug, auth_mode, status, name FROM tenants ORDER BY slug',
        );
        for (const row of rows) out(`${row.slug}\t${row.auth_mode}\t${row.status}\t${row.name}`);
        break;
      }
      case 'tenant:set-mode': {
        const tenant = await administration.setAuthMode(required(values, 'tenant'), authMode(required(values, 'mode')));
        out(`tenant ${tenant.slug} now signs in ${tenant.authMode}`);
        break;
      }
      case 'tenant:set-status': {
        const status = required(values, 'status');
        if (status !== 'active' && status !== 'suspended' && status !== 'terminated') throw new UsageError('--status must be active, suspended or terminated');
        const tenant = await administration.setStatus(required(values, 'tenant'), status);
        out(`tenant ${tenant.slug} is ${tenant.status}`);
        break;
      }
      case 'tenant:set-ip-allow-list': {
        const ranges = required(values, 'ranges');
        const tenant = await administration.setIpAllowList(
          required(values, 'tenant'),
          ranges === 'none' ? null : ranges.split(',').map((range) => range.trim()).filter(Boolean),
        );
        out(`tenant ${tenant.slug} reachable from ${tenant.ipAllowList?.join(', ') ?? 'anywhere'}`);
        break;
      }
      case 'sso:add': {
        const slug = required(values, 'tenant');
        const name = required(values, 'name');
        const protocol = required(values, 'protocol');
        let created;
        if (protocol === 'saml') {
          const file = values['metadata-file'];
          const url = values['metadata-url'];
          if (Boolean(file) === Boolean(url)) throw new UsageError('give exactly one of --metadata-file and --metadata-url');
          created = await administration.addSamlConnection(
            slug,
            name,
            file ? { metadataXml: readFileSync(file, 'utf8') } : { metadataUrl: url! },
            values['sp-entity-id'] ? { spEntityId: values['sp-entity-id'] } : {},
          );
        } else if (protocol === 'oidc') {
          created = await administration.addOidcConnection(slug, name, {
            issuer: required(values, 'issuer'),
            expectedTenantId: required(values, 'entra-tenant-id'),
            clientId: required(values, 'client-id'),
            ...(values['client-secret-file'] ? { clientSecret: readFileSync(values['client-secret-file'], 'utf8').trim() } : {}),
          });
        } else {
          throw new UsageError('--protocol must be saml or oidc');
        }
        const base = new URL(`/sso/${protocol}/${created.connection.id}/`, config.http.publicOrigin);
        out(`SSO connection ${name} (${protocol}) created for ${slug}: ${created.connection.id}`);
        if (protocol === 'saml') {
          out(`Register in Entra ID: Identifier ${new URL('metadata', base)}, Reply URL ${new URL('acs', base)}, Logout URL ${new URL('slo', base)}`);
          out(`SP metadata: ${new URL('metadata', base)}`);
        } else {
          out(`Register in Entra ID: Redirect URI ${new URL('callback', base)}`);
        }
        if (created.certificatePem) out(`Certificate to upload to Entra ID:\n${created.certificatePem.trim()}`);
        break;
      }
      case 'sso:list': {
        for (const connection of await administration.listConnections(required(values, 'tenant'))) {
          out(`${connection.name}\t${connection.protocol}\t${connection.enabled ? 'enabled' : 'disabled'}\t${connection.id}`);
        }
        break;
      }
      case 'sso:remove': {
        const removed = await administration.removeConnection(required(values, 'tenant'), required(values, 'name'));
        out(`SSO connection ${removed.name} removed`);
        break;
      }
      case 'user:add': {
        const tenant = await tenants.findBySlug(required(values, 'tenant'));
        if (!tenant) throw new SsoAdministrationError(`no tenant "${values.tenant}"`);
        if (tenant.authMode !== 'local-2fa') throw new SsoAdministrationError('federated tenants get their users from their IdP, never from here (SE-7.2)');
        const oneTimePassword = randomBytes(18).toString('base64url');
        await new PostgresLocalAccountStore(dataSource).createAccount(tenant.id, normaliseEmail(required(values, 'email')), await new PasswordHasher().hash(oneTimePassword));
        out(`user ${values.email} created. One-time password (shown once): ${oneTimePassword}`);
        out('At first sign-in the user enrols an authenticator app; no sign-in without it.');
        if (values.role) {
          const created = await userId(tenant.slug, required(values, 'email'));
          await access.grant({ kind: 'operator', operator }, created.tenantId, created.userId, values.role);
          out(`role ${values.role} granted`);
        }
        break;
      }
      case 'role:grant':
      case 'role:revoke': {
        const target = await userId(required(values, 'tenant'), required(values, 'email'));
        const role = required(values, 'role');
        if (command === 'role:grant') await access.grant({ kind: 'operator', operator }, target.tenantId, target.userId, role);
        else await access.revoke({ kind: 'operator', operator }, target.tenantId, target.userId, role);
        out(`role ${role} ${command === 'role:grant' ? 'granted to' : 'revoked from'} ${values.email}`);
        break;
      }
      case 'role:map': {
        const slug = required(values, 'tenant');
        const connection = (await administration.listConnections(slug)).find((candidate) => candidate.name === required(values, 'connection'));
        if (!connection) throw new SsoAdministrationError(`no SSO connection "${values.connection}" in tenant "${slug}"`);
        const mappings = parseMappings(required(values, 'mappings'));
        await access.setMappings({ kind: 'operator', operator }, connection.tenantId, connection.id, mappings);
        out(`${mappings.length} claim mapping(s) set on ${connection.name}; they apply at each user's next sign-in`);
        break;
      }
      case 'access:review': {
        const format = values.format ?? 'json';
        if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be json or csv');
        const people = await access.accessReview(await tenantId(required(values, 'tenant')));
        process.stdout.write(format === 'json' ? `${JSON.stringify({ generatedAt: new Date().toISOString(), items: people }, null, 2)}\n` : accessReviewCsv(people));
        break;
      }
      case 'audit:destination:add': {
        const id = await tenantId(required(values, 'tenant'));
        const input = destinationInput(values);
        const added = await TenantContext.run({ tenantId: id, actorId: SYSTEM_ACTOR_ID }, () =>
          scope.run(async () => {
            const destination = await destinations.add(input);
            await audit.record(operatorEvent(id, 'config.changed', { type: 'audit-destination', id: destination.id }, { change: 'added', kind: destination.kind }));
            return destination;
          }),
        );
        out(`audit destination ${added.name} (${added.kind}, ${added.format}) added: ${added.id}; the forwarder starts delivering from the first event`);
        break;
      }
      case 'audit:destination:list': {
        const id = await tenantId(required(values, 'tenant'));
        for (const destination of await TenantContext.run({ tenantId: id, actorId: SYSTEM_ACTOR_ID }, () => destinations.list())) {
          const { delivery } = destination;
          const state = delivery.lastError ? `failing (${delivery.attempts}x): ${delivery.lastError}` : 'ok';
          out(`${destination.name}\t${destination.kind}\t${destination.format}\t${destination.enabled ? 'enabled' : 'disabled'}\tdelivered up to #${delivery.deliveredSequence}\t${state}`);
        }
        break;
      }
      case 'audit:destination:remove': {
        const id = await tenantId(required(values, 'tenant'));
        const name = required(values, 'name');
        await TenantContext.run({ tenantId: id, actorId: SYSTEM_ACTOR_ID }, () =>
          scope.run(async () => {
            const destination = (await destinations.list()).find((candidate) => candidate.name === name);
            if (!destination || !(await destinations.remove(destination.id))) throw new SsoAdministrationError(`no audit destination "${name}" in tenant "${values.tenant}"`);
            await audit.record(operatorEvent(id, 'config.changed', { type: 'audit-destination', id: destination.id }, { change: 'removed', kind: destination.kind }));
          }),
        );
        out(`audit destination ${name} removed`);
        break;
      }
      case 'audit:retention': {
        const days = Number(required(values, 'days'));
        await setAuditRetention(audit, { tenantId: await tenantId(required(values, 'tenant')), keepDays: days, actor: { type: 'operator', operator } });
        out(`audit events of ${values.tenant} are kept ${days} days`);
        break;
      }
      case 'audit:checkpoint-key': {
        const key = auditSigningKeyFrom(config);
        out(`key id ${key.keyId} (Ed25519); checkpoints carry it as details.keyId:`);
        process.stdout.write(key.publicKeyPem);
        break;
      }
      case 'audit:verify': {
        const slug = required(values, 'tenant');
        const id = slug === 'platform' ? PLATFORM_TENANT_ID : await tenantId(slug);
        const verification = await verifyAuditChain(dataSource, id);
        if (!verification.ok) {
          out(`audit chain of ${slug} BROKEN at sequence ${verification.sequence}: ${verification.problem}`);
          process.exitCode = 3;
        } else {
          out(`audit chain of ${slug} intact: ${verification.lastSequence} event(s), head ${verification.lastHash}`);
        }
        break;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await dataSource.destroy();
    await database.close();
  }
}

/** A destination from the command line's flags; the audit library checks it and names every problem. */
function destinationInput(values: Record<string, string | boolean | undefined>): AuditDestinationInput {
  const kind = required(values, 'kind') as AuditDestinationKind;
  const file = (name: string) => (typeof values[name] === 'string' ? readFileSync(values[name] as string, 'utf8') : undefined);
  const defined = (entries: Record<string, unknown>) => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
  const port = values.port === undefined ? undefined : Number(values.port);
  const settings =
    kind === 'https'
      ? defined({ url: values.url, mode: values.mode, caPem: file('ca-file'), clientCertPem: file('client-cert-file') })
      : kind === 'file'
        ? defined({ fileName: values['file-name'] })
        : defined({
            host: values.host,
            port,
            facility: values.facility,
            ...(kind === 'syslog-tls' && { caPem: file('ca-file'), serverName: values['server-name'], clientCertPem: file('client-cert-file') }),
          });
  return {
    name: required(values, 'name'),
    kind,
    ...(typeof values.format === 'string' && { format: values.format as AuditDestinationFormat }),
    settings,
    secrets: defined({ token: file('token-file')?.trim(), clientKeyPem: file('client-key-file') }),
  };
}

function parseMappings(text: string): Array<{ claim: 'roles' | 'groups'; value: string; roleName: string }> {
  if (text === 'none') return [];
  return text.split(',').map((entry) => {
    const match = /^(roles|groups):(.+)=([a-z][a-z0-9-]*)$/.exec(entry.trim());
    if (!match) throw new UsageError(`mapping "${entry}" is not claim:value=role (claim roles or groups)`);
    return { claim: match[1] as 'roles' | 'groups', value: match[2]!, roleName: match[3]! };
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`veilig cli: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (
    error instanceof ConfigError ||
    error instanceof SsoAdministrationError ||
    error instanceof AccessAdministrationError ||
    error instanceof AuditDestinationError ||
    error instanceof AuditRetentionError ||
    error instanceof AuditSigningKeyError
  ) {
    process.stderr.write(`veilig cli: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`veilig cli: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
