import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from './config.error.js';
import { VARIABLES, type VariableName } from './variables.js';

const envSchema = z.object(
  Object.fromEntries(VARIABLES.map((variable) => [variable.name, variable.schema])) as {
    [V in (typeof VARIABLES)[number] as V['name']]: V['schema'];
  },
);

type Env = z.output<typeof envSchema>;

export interface AppConfig {
  readonly env: 'development' | 'test' | 'production';
  readonly production: boolean;
  readonly http: {
    readonly host: string;
    readonly httpsPort: number;
    readonly httpPort: number;
    readonly publicOrigin: URL;
    readonly allowedHosts: readonly string[];
    readonly trustProxy: readonly string[] | undefined;
    readonly bodyLimitBytes: number;
    readonly hstsPreload: boolean;
    readonly cookieAllowSameSiteNone: boolean;
  };
  readonly tls: {
    readonly mode: 'native' | 'offloaded';
    /** Unset outside production means: use the generated development certificate. */
    readonly certFile: string | undefined;
    readonly keyFile: string | undefined;
    readonly ocspStapling: boolean;
  };
  readonly database: {
    /** Unset means: start embedded PostgreSQL (refused in production). */
    readonly migrationUrl: string | undefined;
    readonly appUrl: string | undefined;
    readonly appRole: string;
    readonly embeddedPort: number;
  };
  readonly dataDir: string;
  readonly devIdpPort: number;
  /** Tenants and SSO connections declared as code; unset means managed with the CLI only. */
  readonly ssoDeclarationsFile: string | undefined;
  /** Tenants on databases of their own (SE-6.2); unset means every tenant is in the shared database. */
  readonly dedicatedDatabasesFile: string | undefined;
  readonly audit: {
    /** Unset outside production means: generate one under dataDir. */
    readonly signingKeyFile: string | undefined;
    readonly checkpointIntervalMs: number;
    readonly fileDirectory: string;
  };
  /** Unset outside production means: generate one under dataDir. */
  readonly sessionSecret: string | undefined;
  /** Where sessions live; Redis only when SESSION_STORE=redis. */
  readonly sessionStore: { readonly kind: 'postgres' } | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string };
  /** `<id>:<base64>` entries, current first; unset outside production means: generate one under dataDir. */
  readonly secretsEncryptionKeys: readonly string[] | undefined;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly securityTxt: {
    readonly contact: readonly string[];
    readonly expires: Date;
    readonly policy: string | undefined;
    readonly preferredLanguages: string;
    readonly encryption: string | undefined;
    readonly acknowledgments: string | undefined;
    readonly hiring: string | undefined;
    readonly signingKeyFile: string | undefined;
    readonly signingKeyPassphrase: string | undefined;
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** RFC 9116 §2.5.5 recommends an Expires less than a year ahead. */
export const SECURITY_TXT_MAX_LIFETIME_MS = 366 * DAY_MS;
export const SESSION_SECRET_MIN_LENGTH = 32;
const DEVELOPMENT_SECURITY_CONTACT = 'mailto:security@localhost.invalid';
/** Put in the organisation name of the generated development certificate, so production can refuse it. */
export const DEVELOPMENT_CERTIFICATE_MARK = 'Veilig development certificate';
const DEVELOPMENT_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Reads and validates configuration from an environment. Throws one ConfigError that lists
 * every problem, so an operator fixes them in one pass rather than one restart per mistake.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env, now: Date = new Date()): AppConfig {
  const raw = Object.fromEntries(
    VARIABLES.map(({ name }) => [name, source[name] === '' ? undefined : source[name]]),
  );
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'configuration')}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  const problems = [...checkAlways(env), ...(env.NODE_ENV === 'production' ? checkProduction(env, now) : [])];
  if (problems.length > 0) throw new ConfigError(problems);
  return toAppConfig(env, now);
}

function problem(name: VariableName, message: string): string {
  return `${name}: ${message}`;
}

function checkAlways(env: Env): string[] {
  const problems: string[] = [];
  if (env.TLS_MODE === 'offloaded' && !env.TRUST_PROXY?.length) {
    problems.push(
      problem('TRUST_PROXY', 'required with TLS_MODE=offloaded: without it plain HTTP cannot be told from forwarded HTTPS'),
    );
  }
  if ((env.TLS_CERT_FILE === undefined) !== (env.TLS_KEY_FILE === undefined)) {
    problems.push(problem(env.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', 'TLS_CERT_FILE and TLS_KEY_FILE go together'));
  }
  if (env.DATABASE_APP_URL && !env.DATABASE_URL) {
    problems.push(problem('DATABASE_URL', 'required when DATABASE_APP_URL is set (migrations run as their own role)'));
  }
  for (const contact of env.SECURITY_CONTACT ?? []) {
    if (!/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/.test(contact)) {
      problems.push(problem('SECURITY_CONTACT', `"${contact}" is not a mailto: or https: URI`));
    }
  }
  if (env.SESSION_SECRET !== undefined && env.SESSION_SECRET.length < SESSION_SECRET_MIN_LENGTH) {
    problems.push(problem('SESSION_SECRET', `must be at least ${SESSION_SECRET_MIN_LENGTH} characters`));
  }
  if (env.SESSION_STORE === 'redis' && !env.REDIS_URL) {
    problems.push(problem('REDIS_URL', 'required with SESSION_STORE=redis'));
  }
  return problems;
}

function checkProduction(env: Env, now: Date): string[] {
  const problems: string[] = [];
  if (!env.PUBLIC_ORIGIN) problems.push(problem('PUBLIC_ORIGIN', 'required in production'));
  else if (env.PUBLIC_ORIGIN.protocol !== 'https:') problems.push(problem('PUBLIC_ORIGIN', 'must be https in production'));
  if (env.TLS_MODE === 'native') {
    if (!env.TLS_CERT_FILE) {
      problems.push(problem('TLS_CERT_FILE', 'required in production; the development certificate is not trusted by anyone'));
    } else {
      problems.push(...certificateProblems(env.TLS_CERT_FILE, now));
    }
  }
  if (!env.SECURITY_CONTACT?.length) {
    problems.push(problem('SECURITY_CONTACT', 'required in production (security.txt, SE-9.1)'));
  }
  if (!env.SECURITY_TXT_EXPIRES) {
    problems.push(problem('SECURITY_TXT_EXPIRES', 'required in production (security.txt, RFC 9116)'));
  } else {
    problems.push(...securityTxtExpiryProblems(env.SECURITY_TXT_EXPIRES, now));
  }
  if (!env.SESSION_SECRET) {
    problems.push(problem('SESSION_SECRET', 'required in production'));
  } else if (isWeakSecret(env.SESSION_SECRET)) {
    problems.push(problem('SESSION_SECRET', 'too weak: use at least 32 random characters (e.g. `openssl rand -base64 48`)'));
  }
  if (!env.SECRETS_ENCRYPTION_KEYS) {
    problems.push(problem('SECRETS_ENCRYPTION_KEYS', 'required in production (e.g. `k1:$(openssl rand -base64 32)`)'));
  }
  if (!env.DATABASE_URL) problems.push(problem('DATABASE_URL', 'required in production; embedded PostgreSQL is for development'));
  if (!env.AUDIT_SIGNING_KEY_FILE) problems.push(problem('AUDIT_SIGNING_KEY_FILE', 'required in production: a generated key would change with every new data directory'));
  if (!env.DATABASE_APP_URL) {
    problems.push(problem('DATABASE_APP_URL', 'required in production: the application connects as its own least-privileged role'));
  } else if (env.DATABASE_URL && sameUser(env.DATABASE_URL, env.DATABASE_APP_URL)) {
    problems.push(problem('DATABASE_APP_URL', 'must use another role than DATABASE_URL (the migration role owns the tables)'));
  }
  if (env.SESSION_STORE === 'redis' && env.REDIS_URL && !env.REDIS_URL.startsWith('rediss:') && !isLoopback(new URL(env.REDIS_URL).hostname)) {
    problems.push(problem('REDIS_URL', 'must be rediss:// (TLS) in production: session records and the Redis password would cross the network in the clear'));
  }
  return problems;
}

function certificateProblems(certFile: string, now: Date): string[] {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(readFileSync(certFile));
  } catch (error) {
    return [problem('TLS_CERT_FILE', `cannot read a PEM certificate from ${certFile} (${(error as Error).message})`)];
  }
  const problems: string[] = [];
  if (certificate.subject.includes(DEVELOPMENT_CERTIFICATE_MARK)) {
    problems.push(problem('TLS_CERT_FILE', 'is the generated development certificate; production needs one from a trusted CA (TH-3)'));
  }
  if (new Date(certificate.validTo).getTime() <= now.getTime()) {
    problems.push(problem('TLS_CERT_FILE', `certificate expired on ${new Date(certificate.validTo).toISOString()}`));
  }
  return problems;
}

export function securityTxtExpiryProblems(expires: Date, now: Date): string[] {
  if (expires.getTime() <= now.getTime()) {
    return [problem('SECURITY_TXT_EXPIRES', `${expires.toISOString()} has passed; security.txt would be stale`)];
  }
  if (expires.getTime() - now.getTime() > SECURITY_TXT_MAX_LIFETIME_MS) {
    return [problem('SECURITY_TXT_EXPIRES', `${expires.toISOString()} is more than a year ahead (RFC 9116 §2.5.5)`)];
  }
  return [];
}

/**
 * Length alone is not enough: a 32-character run of one letter or a placeholder passes it.
 * Require a spread of distinct characters, as a random secret of this length always has.
 */
function isWeakSecret(secret: string): boolean {
  const distinct = new Set(secret).size;
  return secret.length < SESSION_SECRET_MIN_LENGTH || distinct < 12 || /change.?me|secret|password|example/i.test(secret);
}

/** Traffic to these never leaves the host, so plain redis:// exposes nothing on a network. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function sameUser(a: string, b: string): boolean {
  const left = new URL(a);
  const right = new URL(b);
  return left.host === right.host && left.username === right.username;
}

function toAppConfig(env: Env, now: Date): AppConfig {
  const production = env.NODE_ENV === 'production';
  const publicOrigin = env.PUBLIC_ORIGIN ?? new URL(`https://localhost:${env.HTTPS_PORT}`);
  const allowedHosts = [
    ...new Set([publicOrigin.hostname, ...(env.ALLOWED_HOSTS ?? (production ? [] : DEVELOPMENT_HOSTS))]),
  ].map((host) => host.toLowerCase());
  return {
    env: env.NODE_ENV,
    production,
    http: {
      host: env.HOST,
      httpsPort: env.HTTPS_PORT,
      httpPort: env.HTTP_PORT,
      publicOrigin,
      allowedHosts,
      trustProxy: env.TRUST_PROXY,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      hstsPreload: env.HSTS_PRELOAD,
      cookieAllowSameSiteNone: env.COOKIE_ALLOW_SAMESITE_NONE,
    },
    tls: {
      mode: env.TLS_MODE,
      certFile: env.TLS_CERT_FILE,
      keyFile: env.TLS_KEY_FILE,
      ocspStapling: env.TLS_OCSP_STAPLING,
    },
    database: {
      migrationUrl: env.DATABASE_URL,
      appUrl: env.DATABASE_APP_URL,
      appRole: env.DATABASE_APP_ROLE,
      embeddedPort: env.EMBEDDED_POSTGRES_PORT,
    },
    dataDir: env.DATA_DIR,
    devIdpPort: env.DEV_IDP_PORT,
    ssoDeclarationsFile: env.SSO_DECLARATIONS_FILE,
    dedicatedDatabasesFile: env.DEDICATED_DATABASES_FILE,
    audit: {
      signingKeyFile: env.AUDIT_SIGNING_KEY_FILE,
      checkpointIntervalMs: env.AUDIT_CHECKPOINT_MINUTES * 60_000,
      fileDirectory: env.AUDIT_FILE_DIRECTORY ?? join(env.DATA_DIR, 'audit'),
    },
    sessionSecret: env.SESSION_SECRET,
    // checkAlways refuses SESSION_STORE=redis without REDIS_URL.
    sessionStore: env.SESSION_STORE === 'redis' ? { kind: 'redis', url: env.REDIS_URL!, keyPrefix: env.REDIS_KEY_PREFIX } : { kind: 'postgres' },
    secretsEncryptionKeys: env.SECRETS_ENCRYPTION_KEYS,
    logLevel: env.LOG_LEVEL,
    securityTxt: {
      contact: env.SECURITY_CONTACT ?? [DEVELOPMENT_SECURITY_CONTACT],
      expires: env.SECURITY_TXT_EXPIRES ?? new Date(now.getTime() + 90 * DAY_MS),
      policy: env.SECURITY_TXT_POLICY,
      preferredLanguages: env.SECURITY_TXT_PREFERRED_LANGUAGES,
      encryption: env.SECURITY_TXT_ENCRYPTION,
      acknowledgments: env.SECURITY_TXT_ACKNOWLEDGMENTS,
      hiring: env.SECURITY_TXT_HIRING,
      signingKeyFile: env.SECURITY_TXT_SIGNING_KEY_FILE,
      signingKeyPassphrase: env.SECURITY_TXT_SIGNING_KEY_PASSPHRASE,
    },
  };
}
