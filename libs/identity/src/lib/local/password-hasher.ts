import * as argon2 from 'argon2';
import { normalisePassword } from './password-policy.js';

export interface Argon2idParameters {
  readonly memoryCostKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: the least argon2id configuration it accepts. */
export const OWASP_MINIMUM_ARGON2ID: Argon2idParameters = { memoryCostKiB: 19 * 1024, timeCost: 2, parallelism: 1 };

/**
 * RFC 9106's second recommended option (64 MiB, 3 passes) with one lane instead of four: memory
 * is what makes GPU and ASIC guessing expensive, and it is 3.4 times the OWASP minimum, with one
 * pass more. One lane because node-argon2 hashes on libuv's thread pool (4 threads by default):
 * lanes would take threads from concurrent sign-ins without costing an attacker anything more,
 * and the pool also caps the memory in use at 4 × 64 MiB. About a quarter of a second per hash
 * on a 2-vCPU machine: acceptable for a sign-in that is throttled and rare next to federation.
 */
export const ARGON2ID_PARAMETERS: Argon2idParameters = { memoryCostKiB: 64 * 1024, timeCost: 3, parallelism: 1 };

const ARGON2_VERSION = 0x13;

export class PasswordHasher {
  constructor(private readonly parameters: Argon2idParameters = ARGON2ID_PARAMETERS) {
    if (
      parameters.memoryCostKiB < OWASP_MINIMUM_ARGON2ID.memoryCostKiB ||
      parameters.timeCost < OWASP_MINIMUM_ARGON2ID.timeCost ||
      parameters.parallelism < OWASP_MINIMUM_ARGON2ID.parallelism
    ) {
      throw new Error('argon2id parameters are below the OWASP minimum (m=19 MiB, t=2, p=1)');
    }
  }

  /** A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with a fresh 16-byte salt. */
  hash(password: string): Promise<string> {
    return argon2.hash(normalisePassword(password), {
      type: argon2.argon2id,
      memoryCost: this.parameters.memoryCostKiB,
      timeCost: this.parameters.timeCost,
      parallelism: this.parameters.parallelism,
      version: ARGON2_VERSION,
    });
  }

  /** Recomputes under the parameters stored in the hash and compares with crypto.timingSafeEqual. */
  verify(passwordHash: string, password: string): Promise<boolean> {
    return argon2.verify(passwordHash, normalisePassword(password));
  }

  /** True after a successful sign-in whose hash predates the current algorithm or parameters. */
  needsRehash(passwordHash: string): boolean {
    if (!passwordHash.startsWith('$argon2id$')) return true;
    return argon2.needsRehash(passwordHash, {
      memoryCost: this.parameters.memoryCostKiB,
      timeCost: this.parameters.timeCost,
      parallelism: this.parameters.parallelism,
      version: ARGON2_VERSION,
    });
  }
}
