import { Reflector } from '@nestjs/core';

/**
 * What every route must declare about who may call it. The declarations live here, below every
 * feature, so any module can declare its routes; enforcement lives in the guards of
 * @veilig/identity (authentication) and @veilig/access (permissions). A route that declares
 * nothing is closed, and a test walks every route and fails on one that declares nothing.
 */

/** Reachable without a session: sign-in pages, health, security.txt. */
export const Public = Reflector.createDecorator<void, true>({ transform: () => true });

/**
 * Reachable by any signed-in user of the tenant, whatever their roles: only for a user's own
 * affairs (their session, their sign-out), never for tenant data.
 */
export const SignedIn = Reflector.createDecorator<void, true>({ transform: () => true });

/** A permission name: `resource:action`, lower-case words joined by hyphens. */
export type PermissionName = `${string}:${string}`;

export const PERMISSION_NAME_PATTERN = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

const RequiredPermissions = Reflector.createDecorator<{ readonly mode: 'all' | 'any'; readonly permissions: readonly PermissionName[] }>();

function checkedPermissions(permissions: readonly PermissionName[]): readonly PermissionName[] {
  if (permissions.length === 0) throw new Error("A permission rule needs at least one permission; use SignedIn for a user's own affairs");
  for (const permission of permissions) {
    if (!PERMISSION_NAME_PATTERN.test(permission)) throw new Error(`"${permission}" is not a permission name (resource:action)`);
  }
  return Object.freeze([...permissions]);
}

/** Reachable by signed-in users holding every one of these permissions. */
export function RequirePermissions(...permissions: PermissionName[]): ReturnType<typeof RequiredPermissions> {
  return RequiredPermissions({ mode: 'all', permissions: checkedPermissions(permissions) });
}

/**
 * Reachable by signed-in users holding at least one of these permissions, for a route whose
 * answer depends on which (the service decides the rows): e.g. a list that shows a viewer every
 * case without personal data and a member their own cases with it.
 */
export function RequireAnyPermission(...permissions: PermissionName[]): ReturnType<typeof RequiredPermissions> {
  return RequiredPermissions({ mode: 'any', permissions: checkedPermissions(permissions) });
}

export type RouteAccess =
  | { readonly kind: 'public' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'permissions'; readonly mode: 'all' | 'any'; readonly permissions: readonly PermissionName[] };

/**
 * The declaration of a handler, the method's own before its controller's; undefined when there
 * is none. A handler with more than one kind of declaration is a mistake and reads as none.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's reflector takes any handler or class
export function routeAccessOf(reflector: Reflector, handler: Function, controller: Function): RouteAccess | undefined {
  const targets = [handler, controller];
  const isPublic = reflector.getAllAndOverride(Public, targets) === true;
  const isSignedIn = reflector.getAllAndOverride(SignedIn, targets) === true;
  const rule = reflector.getAllAndOverride(RequiredPermissions, targets);
  const declared = [isPublic, isSignedIn, rule !== undefined].filter(Boolean).length;
  if (declared !== 1) return undefined;
  if (isPublic) return { kind: 'public' };
  if (isSignedIn) return { kind: 'signed-in' };
  return { kind: 'permissions', mode: rule!.mode, permissions: rule!.permissions };
}

/**
 * A permission a module declares, with the built-in roles that hold it in every tenant
 * (`tenant-admin`, `auditor`, `member`, `viewer`). Custom roles get it only when a tenant
 * admin puts it in one.
 */
export interface PermissionDeclaration {
  readonly name: PermissionName;
  readonly description: string;
  readonly grantedTo: readonly string[];
}
