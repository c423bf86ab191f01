import { ForbiddenException } from '@nestjs/common';
import type { PermissionName } from '@veilig/platform-http';

/**
 * What the signed-in user of a request may do: the union of the permissions of all their roles.
 * Handlers pass it to services, which use it for row-level decisions the route guard cannot
 * make (a member edits only cases of their own team).
 */
export class Access {
  constructor(
    readonly tenantId: string,
    readonly userId: string,
    /** The user's department as the IdP last sent it: what "their team" means. */
    readonly department: string | null,
    readonly roles: readonly string[],
    readonly permissions: ReadonlySet<PermissionName>,
  ) {}

  has(permission: PermissionName): boolean {
    return this.permissions.has(permission);
  }

  /** For checks inside a service; answers 403 problem+json like the guard does. */
  require(permission: PermissionName): void {
    if (!this.has(permission)) throw new PermissionDeniedError([permission]);
  }
}

export class PermissionDeniedError extends ForbiddenException {
  constructor(readonly missing: readonly PermissionName[]) {
    super('You do not have the permission this needs.');
  }
}
