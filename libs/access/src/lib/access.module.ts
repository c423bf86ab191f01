import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { RoleClaimsSink } from '@veilig/identity';
import type { PermissionDeclaration } from '@veilig/platform-http';
import type { TenantScope } from '@veilig/tenancy';
import { AccessAdministration, type TenantPeople } from './access-administration.js';
import { AccessController } from './access.controller.js';
import { AccessDenials } from './access-denials.js';
import { ACCESS_PERMISSIONS } from './access.permissions.js';
import { AccessResolver } from './access-resolver.js';
import { AccessStore } from './access-store.js';
import type { AuditRecorder } from './audit-context.js';
import { PermissionCatalogue } from './permission-catalogue.js';
import { PermissionGuard } from './permission.guard.js';

export interface AccessModuleOptions {
  /** Over the database that holds the role tables, the same one the audit recorder writes to, so a change and its event commit together. */
  readonly scope: TenantScope;
  readonly audit: AuditRecorder;
  readonly people: TenantPeople;
  /** Every other module's permission declarations; the access capability adds its own. */
  readonly permissions: readonly PermissionDeclaration[];
}

/**
 * Authorization for the whole application: the global permission guard (after the
 * authentication guard, which IdentityModule registers first), the role administration API and
 * the access review. Import it after IdentityModule.
 */
@Module({})
export class AccessModule {
  static forRoot(options: AccessModuleOptions): DynamicModule {
    const { catalogue, store, administration } = assemble(options);
    const providers = [
      { provide: PermissionCatalogue, useValue: catalogue },
      { provide: AccessAdministration, useValue: administration },
      { provide: AccessResolver, useValue: new AccessResolver(store, catalogue) },
      { provide: AccessDenials, useValue: new AccessDenials(options.audit) },
      // Federated sign-ins (@veilig/identity) hand their role claims to the administration.
      { provide: RoleClaimsSink, useValue: administration },
    ];
    return {
      module: AccessModule,
      global: true,
      imports: [DiscoveryModule],
      controllers: [AccessController],
      providers: [...providers, { provide: APP_GUARD, useClass: PermissionGuard }],
      exports: [PermissionCatalogue, AccessAdministration, RoleClaimsSink],
    };
  }
}

/** The parts of the access capability, for the module and for the operator's command line alike. */
function assemble(options: AccessModuleOptions) {
  const catalogue = new PermissionCatalogue([...ACCESS_PERMISSIONS, ...options.permissions]);
  const store = new AccessStore(options.scope);
  const administration = new AccessAdministration(options.scope, store, catalogue, options.audit, options.people);
  return { catalogue, store, administration };
}

/** Role administration without the HTTP application: for the command line on the server. */
export function createAccessAdministration(options: AccessModuleOptions): AccessAdministration {
  return assemble(options).administration;
}
