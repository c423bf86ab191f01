import { BlockList, isIP } from 'node:net';
import type { Tenant } from './tenant-directory.js';

/**
 * SV-4's alternative to SSO for some customers: only the municipality's fixed network may reach
 * the tenant. No list means no restriction. Checked at every sign-in step and, in SQL, on every
 * request's session lookup.
 */
export function tenantAllowsAddress(tenant: Pick<Tenant, 'ipAllowList'>, address: string): boolean {
  if (!tenant.ipAllowList || tenant.ipAllowList.length === 0) return true;
  const family = isIP(address);
  if (family === 0) return false;
  const list = new BlockList();
  for (const range of tenant.ipAllowList) {
    const [network, prefix] = range.split('/');
    const rangeFamily = isIP(network!) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(network!, Number(prefix ?? (rangeFamily === 'ipv6' ? 128 : 32)), rangeFamily);
  }
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
