import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Field names whose values never reach a log line, wherever they sit in the logged object. */
export const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'clientSecret',
  'client_secret',
  'sessionSecret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'code_verifier',
  'SAMLResponse',
  'SAMLRequest',
  'assertion',
  'totp',
  'totpCode',
  'otp',
  'recoveryCode',
  'privateKey',
  'keyPem',
  'authorization',
  'cookie',
  'set-cookie',
] as const;

const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(SECRET_FIELDS.map((field) => field.toLowerCase()));
const SCRUB_DEPTH = 4;

/**
 * Replaces the value of every secret field in the first levels of a log object. One pass with a
 * set lookup per key: pino's path-based `redact` with wildcards costs several times more per
 * line than the whole rest of a request (measured in bench/http-stack).
 */
function scrubSecrets(value: unknown, depth: number): unknown {
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubSecrets(item, depth));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const scrubbed: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    scrubbed[key] = SECRET_FIELD_NAMES.has(key.toLowerCase()) ? '[redacted]' : scrubSecrets(field, depth - 1);
  }
  return scrubbed;
}

/** Structured JSON logs (pino) with secrets redacted, UTC ISO timestamps with milliseconds. */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'veilig-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubSecrets(object, SCRUB_DEPTH) as Record<string, unknown>,
      },
    },
    destination,
  );
}

/** Lets NestJS's own messages (module wiring, route mapping) go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
