import type { TenantDataSources } from '@veilig/tenancy';
import type { DataSource } from 'typeorm';
import { verifyAuditChain, type AuditChainVerification } from '../chain/verify-audit-chain.js';

/** Verification of a tenant's hash chain where its audit rows live: the shared database, or its dedicated one. */
export class AuditChainCheck {
  constructor(private readonly database: DataSource | TenantDataSources) {}

  verify(tenantId: string): Promise<AuditChainVerification> {
    return verifyAuditChain(this.database, tenantId);
  }
}
