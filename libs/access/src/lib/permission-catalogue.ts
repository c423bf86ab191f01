import { PERMISSION_NAME_PATTERN, type PermissionDeclaration, type PermissionName } from '@veilig/platform-http';
import { BUILT_IN_ROLES, isBuiltInRole, type BuiltInRoleName } from './built-in-roles.js';

export class PermissionCatalogueError extends Error {
  override readonly name = 'PermissionCatalogueError';
}

/**
 * Every permission the running application knows, as its modules declared them, and what the
 * built-in roles hold. Built once at start; a mistake in a declaration stops the start, listing
 * every problem at once.
 */
export class PermissionCatalogue {
  private readonly declarations: ReadonlyMap<PermissionName, PermissionDeclaration>;
  private readonly builtIn: ReadonlyMap<BuiltInRoleName, ReadonlySet<PermissionName>>;

  constructor(declarations: readonly PermissionDeclaration[]) {
    const problems: string[] = [];
    const byName = new Map<PermissionName, PermissionDeclaration>();
    for (const declaration of declarations) {
      if (!PERMISSION_NAME_PATTERN.test(declaration.name)) problems.push(`"${declaration.name}" is not a permission name (resource:action)`);
      if (byName.has(declaration.name)) problems.push(`${declaration.name} is declared twice`);
      for (const role of declaration.grantedTo) {
        if (!isBuiltInRole(role)) problems.push(`${declaration.name} is granted to "${role}", which is not a built-in role`);
      }
      byName.set(declaration.name, declaration);
    }
    if (problems.length > 0) throw new PermissionCatalogueError(`Permission declarations:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.declarations = byName;
    this.builtIn = new Map(
      (Object.keys(BUILT_IN_ROLES) as BuiltInRoleName[]).map((role) => [
        role,
        new Set([...byName.values()].filter((declaration) => declaration.grantedTo.includes(role)).map((declaration) => declaration.name)),
      ]),
    );
  }

  has(name: string): name is PermissionName {
    return this.declarations.has(name as PermissionName);
  }

  list(): PermissionDeclaration[] {
    return [...this.declarations.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Names that are not declared permissions, for a clear refusal of a custom role. */
  unknown(names: readonly string[]): string[] {
    return names.filter((name) => !this.has(name));
  }

  builtInPermissions(role: BuiltInRoleName): ReadonlySet<PermissionName> {
    return this.builtIn.get(role)!;
  }
}
