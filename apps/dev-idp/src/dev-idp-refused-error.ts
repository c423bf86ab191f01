/** Thrown instead of starting in production: the dev IdP signs anyone in as anyone. */
export class DevIdpRefusedError extends Error {
  override readonly name = 'DevIdpRefusedError';

  constructor() {
    super('the development IdP never runs in production');
  }
}
