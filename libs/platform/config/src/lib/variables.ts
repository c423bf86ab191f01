import { z } from 'zod';

/**
 * Every environment variable the kit reads, in one list: the schema validates it, the
 * documentation generator (`npm run docs:config`) renders docs/configuration.md from it.
 */
export interface VariableSpec {
  readonly name: string;
  readonly description: string;
  /** What an unset variable means, as a reader of the docs should see it. */
  readonly defaultText: string;
  readonly schema: z.ZodType;
  /** Redacted wherever configuration is printed. */
  readonly sensitive?: boolean;
}

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const commaList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/./.test(value) && URL.canParse(value), 'must be a postgres:// URL');

const redisUrl = z
  .string()
  .refine((value) => /^rediss?:\/\/./.test(value) && URL.canParse(value), 'must be a redis:// or rediss:// URL');

const isoTimestamp = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}/.test(value), 'must be an ISO 8601 date-time')
  .transform((value) => new Date(value));

const optionalUri = z.string().refine((value) => URL.canParse(value), 'must be an absolute URI');

export const VARIABLES = [
  {
    name: 'NODE_ENV',
    description:
      'Run mode. `production` refuses to start on any insecure setting and lists every problem at once.',
    defaultText: '`development`',
    schema: z.enum(['development', 'test', 'production']).default('development'),
  },
  {
    name: 'HOST',
    description: 'Address the listeners bind to. Use `0.0.0.0` (or `::`) inside a container.',
    defaultText: '`127.0.0.1`',
    schema: z.string().min(1).default('127.0.0.1'),
  },
  {
    name: 'HTTPS_PORT',
    description:
      'Port of the HTTPS listener (native TLS), or of the plain listener behind a TLS offloader (`TLS_MODE=offloaded`).',
    defaultText: '`3443`',
    schema: port.default(3443),
  },
  {
    name: 'HTTP_PORT',
    description:
      'Port of the plain-HTTP listener that only redirects to HTTPS on the same host (TH-1, TH-2). Not opened with `TLS_MODE=offloaded`.',
    defaultText: '`3080`',
    schema: port.default(3080),
  },
  {
    name: 'PUBLIC_ORIGIN',
    description:
      'The origin users reach the service at, e.g. `https://zaken.example.nl`. Used for the security.txt Canonical and the allowed Host.',
    defaultText: '`https://localhost:<HTTPS_PORT>` outside production; required in production',
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && new URL(value).origin === value.replace(/\/$/, ''), 'must be an origin like https://host[:port]')
      .transform((value) => new URL(value))
      .optional(),
  },
  {
    name: 'ALLOWED_HOSTS',
    description:
      'Comma-separated host names accepted in the Host header; any other gets 400. The host of PUBLIC_ORIGIN is always allowed.',
    defaultText: '`localhost,127.0.0.1,[::1]` outside production; only the PUBLIC_ORIGIN host in production',
    schema: commaList.optional(),
  },
  {
    name: 'TLS_MODE',
    description:
      '`native`: this process terminates TLS. `offloaded`: a TLS offloader or reverse proxy in front does (SE-6.4); requires TRUST_PROXY.',
    defaultText: '`native`',
    schema: z.enum(['native', 'offloaded']).default('native'),
  },
  {
    name: 'TLS_CERT_FILE',
    description:
      'PEM file with the server certificate followed by the full intermediate chain (TH-3). Reloaded when the file changes.',
    defaultText: 'a generated ECDSA P-256 development certificate under DATA_DIR (refused in production)',
    schema: z.string().min(1).optional(),
  },
  {
    name: 'TLS_KEY_FILE',
    description: 'PEM file with the private key of TLS_CERT_FILE. Reloaded when the file changes.',
    defaultText: 'the development key under DATA_DIR (refused in production)',
    schema: z.string().min(1).optional(),
    sensitive: true,
  },
  {
    name: 'TLS_OCSP_STAPLING',
    description:
      'Staple OCSP responses (TH-12) when the certificate names an OCSP responder. Responses are fetched in the background and cached until their nextUpdate.',
    defaultText: '`true`',
    schema: booleanFlag.default(true),
  },
  {
    name: 'TRUST_PROXY',
    description:
      'Comma-separated addresses or CIDR ranges of the proxies whose X-Forwarded-For/-Proto/-Host headers are believed. Unset: none are.',
    defaultText: 'unset',
    schema: commaList.optional(),
  },
  {
    name: 'HSTS_PRELOAD',
    description: 'Add `preload` to Strict-Transport-Security. Only after the domain is submitted to the preload list.',
    defaultText: '`false`',
    schema: booleanFlag.default(false),
  },
  {
    name: 'COOKIE_ALLOW_SAMESITE_NONE',
    description:
      'Allow cookies with SameSite=None (TH-11 permits this only with explicit permission). Cookies are Strict or Lax otherwise.',
    defaultText: '`false`',
    schema: booleanFlag.default(false),
  },
  {
    name: 'BODY_LIMIT_BYTES',
    description: 'Largest accepted request body; larger ones get 413.',
    defaultText: '`1048576` (1 MiB)',
    schema: z.coerce.number({ error: 'must be a number of bytes' }).int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  },
  {
    name: 'SESSION_SECRET',
    description: 'Secret (at least 32 characters, random) that signs session cookies.',
    defaultText: 'optional outside production; required in production',
    schema: z.string().optional(),
    sensitive: true,
  },
  {
    name: 'SESSION_STORE',
    description:
      'Where sessions live: `postgres` (the shared database) or `redis` (REDIS_URL). With Redis, tenant status, the IP allow-list and the user are still read from PostgreSQL at every request (docs/identity.md).',
    defaultText: '`postgres`',
    schema: z.enum(['postgres', 'redis']).default('postgres'),
  },
  {
    name: 'REDIS_URL',
    description:
      'Redis for SESSION_STORE=redis: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS, which production requires unless Redis runs on the same host (loopback). Redis must run with `maxmemory-policy noeviction`.',
    defaultText: 'unset; required with SESSION_STORE=redis',
    schema: redisUrl.optional(),
    sensitive: true,
  },
  {
    name: 'REDIS_KEY_PREFIX',
    description: 'Put before every key the kit writes to Redis, so one Redis can serve several deployments apart.',
    defaultText: '`veilig:`',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1 to 64 letters, digits or : _ . -')
      .default('veilig:'),
  },
  {
    name: 'SECRETS_ENCRYPTION_KEYS',
    description:
      'Keys that seal secrets at rest (TOTP secrets, SSO client keys) with AES-256-GCM: comma-separated `<key id>:<32 bytes in base64>`, the current key first, older ones after it for rotation.',
    defaultText: 'one key generated under DATA_DIR outside production; required in production',
    schema: z
      .string()
      .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
      .pipe(
        z
          .array(
            z
              .string()
              .regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/_-]{43}=?$/, 'each key must be `<id>:<32 bytes in base64>`'),
          )
          .min(1, 'at least one key'),
      )
      .optional(),
    sensitive: true,
  },
  {
    name: 'DATA_DIR',
    description: 'Folder for development state: embedded PostgreSQL data, the development certificate, generated secrets.',
    defaultText: '`.data`',
    schema: z.string().min(1).default('.data'),
  },
  {
    name: 'DATABASE_URL',
    description:
      'PostgreSQL URL of the migration role (owns the schema). Unset outside production: an embedded PostgreSQL is started under DATA_DIR.',
    defaultText: 'embedded PostgreSQL outside production; required in production',
    schema: postgresUrl.optional(),
    sensitive: true,
  },
  {
    name: 'DATABASE_APP_URL',
    description:
      'PostgreSQL URL of the application role: not owner, not superuser, no BYPASSRLS (checked at start). Unset outside production: the role DATABASE_APP_ROLE is provisioned on the DATABASE_URL server.',
    defaultText: 'derived outside production; required in production',
    schema: postgresUrl.optional(),
    sensitive: true,
  },
  {
    name: 'DATABASE_APP_ROLE',
    description: 'Name of the application role provisioned outside production when DATABASE_APP_URL is unset.',
    defaultText: '`veilig_app`',
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('veilig_app'),
  },
  {
    name: 'EMBEDDED_POSTGRES_PORT',
    description: 'Port of the embedded PostgreSQL started when DATABASE_URL is unset.',
    defaultText: '`54329`',
    schema: port.default(54329),
  },
  {
    name: 'DEV_IDP_PORT',
    description: 'Port of the development IdP that `npm start` runs beside the kit (never in production; `npm run serve` runs without it).',
    defaultText: '`3444`',
    schema: port.default(3444),
  },
  {
    name: 'SSO_DECLARATIONS_FILE',
    description:
      'JSON file declaring tenants and their SSO connections (infrastructure as code, SE-7.1), applied at start and safe to apply again: missing tenants and connections are created, existing ones are brought in line, credentials are never regenerated and nothing undeclared is removed.',
    defaultText: 'unset (tenants and connections are managed with the CLI only)',
    schema: z.string().min(1).optional(),
  },
  {
    name: 'DEDICATED_DATABASES_FILE',
    description:
      'JSON file placing tenants on databases of their own (SE-6.2 dedicated mode): `{ "<tenant id>": { "migrationUrl": "postgres://owner@host/db", "appUrl": "postgres://app@host/db" } }`. Each is migrated at start like the shared database; the tenant\'s cases and audit trail live there, its sign-in and roles stay in the shared one. `appUrl` may be left out outside production (the role is provisioned). The file holds passwords: keep it readable by the service only.',
    defaultText: 'unset (every tenant in the shared database)',
    schema: z.string().min(1).optional(),
  },
  {
    name: 'AUDIT_SIGNING_KEY_FILE',
    description:
      'PEM file with the Ed25519 private key that signs audit checkpoints (the head of each tenant\'s hash chain, forwarded to the SIEM so a cut-off tail is detectable). `npm run cli -- audit:checkpoint-key` prints its public half for the SIEM. `openssl genpkey -algorithm ed25519 -out audit-signing-key.pem`.',
    defaultText: 'outside production: generated under DATA_DIR; required in production',
    schema: z.string().min(1).optional(),
  },
  {
    name: 'AUDIT_CHECKPOINT_MINUTES',
    description: 'How often each tenant\'s audit chain gets a signed checkpoint when events were added since the last one.',
    defaultText: '`15`',
    schema: z.coerce.number().int().min(1).max(1440).default(15),
  },
  {
    name: 'AUDIT_FILE_DIRECTORY',
    description: 'The folder JSON-lines file destinations of the audit forwarder write into; a destination names a file, never a path.',
    defaultText: '`DATA_DIR/audit`',
    schema: z.string().min(1).optional(),
  },
  {
    name: 'LOG_LEVEL',
    description: 'pino log level.',
    defaultText: '`info`',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  {
    name: 'SECURITY_CONTACT',
    description:
      'Comma-separated `mailto:` or `https:` URIs for reporting vulnerabilities (security.txt Contact, SE-9.1). On a municipality\'s subdomain, point to the municipality.',
    defaultText: '`mailto:security@localhost.invalid` outside production; required in production',
    schema: commaList.optional(),
  },
  {
    name: 'SECURITY_TXT_EXPIRES',
    description: 'security.txt Expires: an ISO 8601 date-time in the future and at most a year ahead (RFC 9116 §2.5.5).',
    defaultText: '90 days after start outside production; required in production',
    schema: isoTimestamp.optional(),
  },
  {
    name: 'SECURITY_TXT_POLICY',
    description: 'security.txt Policy: URI of the coordinated vulnerability disclosure policy.',
    defaultText: 'unset',
    schema: optionalUri.optional(),
  },
  {
    name: 'SECURITY_TXT_PREFERRED_LANGUAGES',
    description: 'security.txt Preferred-Languages.',
    defaultText: '`nl, en`',
    schema: z.string().regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*(\s*,\s*[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*)*$/, 'must be comma-separated language tags').default('nl, en'),
  },
  {
    name: 'SECURITY_TXT_ENCRYPTION',
    description: 'security.txt Encryption: URI of the key for encrypted reports.',
    defaultText: 'unset',
    schema: optionalUri.optional(),
  },
  {
    name: 'SECURITY_TXT_ACKNOWLEDGMENTS',
    description: 'security.txt Acknowledgments: URI of the hall of fame.',
    defaultText: 'unset',
    schema: optionalUri.optional(),
  },
  {
    name: 'SECURITY_TXT_HIRING',
    description: 'security.txt Hiring: URI of security job openings.',
    defaultText: 'unset',
    schema: optionalUri.optional(),
  },
  {
    name: 'SECURITY_TXT_SIGNING_KEY_FILE',
    description: 'Armored OpenPGP private key that clear-signs security.txt (RFC 9116 §2.3). Unset: served unsigned.',
    defaultText: 'unset',
    schema: z.string().min(1).optional(),
  },
  {
    name: 'SECURITY_TXT_SIGNING_KEY_PASSPHRASE',
    description: 'Passphrase of SECURITY_TXT_SIGNING_KEY_FILE, when the key is encrypted.',
    defaultText: 'unset',
    schema: z.string().min(1).optional(),
    sensitive: true,
  },
] as const satisfies readonly VariableSpec[];

export type VariableName = (typeof VARIABLES)[number]['name'];
