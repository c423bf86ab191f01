import { HttpException } from '@nestjs/common';
import { PROBLEM_TYPE_PREFIX } from '@veilig/platform-http';

/** Why a change to roles was refused; each is a problem type a client can act on. */
export const ACCESS_REFUSALS = {
  'unknown-role': 422,
  'unknown-permission': 422,
  'unknown-user': 404,
  'unknown-connection': 404,
  'duplicate-mapping': 422,
  'invalid-role': 422,
  'built-in-role': 409,
  'role-exists': 409,
  'role-in-use': 409,
  'own-roles': 403,
  'self-elevation': 403,
  'last-admin': 409,
  'not-permitted': 403,
} as const;

export type AccessRefusal = keyof typeof ACCESS_REFUSALS;

export class AccessAdministrationError extends HttpException {
  override readonly name = 'AccessAdministrationError';

  constructor(
    readonly refusal: AccessRefusal,
    message: string,
  ) {
    super({ message, type: `${PROBLEM_TYPE_PREFIX}${refusal}` }, ACCESS_REFUSALS[refusal]);
  }
}
