import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import { DedicatedDatabaseConfigError, TenantDatabaseRouter } from './tenant-database-router.js';

const unopened = (url: string) => new DataSource({ type: 'postgres', url });

describe('TenantDatabaseRouter', () => {
  const shared = unopened('postgres://app@shared/veilig');
  const tenant = randomUUID();

  it('[SE-6.2] refuses a configuration with a wrong tenant id or URL, naming every problem but no URL', () => {
    const attempt = () =>
      new TenantDatabaseRouter(shared, {
        'gemeente-a': 'postgres://app:secret@a/veilig',
        [tenant]: 'mysql://app:secret@b/veilig',
      });
    expect(attempt).toThrow(DedicatedDatabaseConfigError);
    expect(attempt).toThrow(/"gemeente-a" is not a tenant id[\s\S]*tenant .* is not a postgres/);
    expect(attempt).not.toThrow(/secret/);
  });

  it('[SE-6.2] routes other tenants to the shared database, and opens a dedicated one once, on first use', async () => {
    const open = vi.fn(async (url: string) => unopened(url));
    const router = new TenantDatabaseRouter(shared, { [tenant]: 'postgres://app@dedicated/veilig' }, open);
    expect(await router.dataSourceFor(randomUUID())).toBe(shared);
    expect(open).not.toHaveBeenCalled();
    const [first, second] = await Promise.all([router.dataSourceFor(tenant), router.dataSourceFor(tenant.toUpperCase())]);
    expect(first).toBe(second);
    expect(open).toHaveBeenCalledTimes(1);
    expect(router.isDedicated(tenant)).toBe(true);
  });

  it('shares one pool between tenants that name the same database', async () => {
    const open = vi.fn(async (url: string) => unopened(url));
    const [one, two] = [randomUUID(), randomUUID()];
    const router = new TenantDatabaseRouter(shared, { [one]: 'postgres://app@pair/veilig', [two]: 'postgres://app@pair/veilig' }, open);
    expect(await router.dataSourceFor(one)).toBe(await router.dataSourceFor(two));
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('tries a dedicated database again after it failed to open', async () => {
    const open = vi.fn<(url: string) => Promise<DataSource>>().mockRejectedValueOnce(new Error('unreachable')).mockImplementation(async (url) => unopened(url));
    const router = new TenantDatabaseRouter(shared, { [tenant]: 'postgres://app@dedicated/veilig' }, open);
    await expect(router.dataSourceFor(tenant)).rejects.toThrow('unreachable');
    await expect(router.dataSourceFor(tenant)).resolves.toBeInstanceOf(DataSource);
  });

  it('closes the pools it opened, and not the shared one', async () => {
    const dedicated = unopened('postgres://app@dedicated/veilig');
    const destroyDedicated = vi.spyOn(dedicated, 'destroy').mockResolvedValue();
    const destroyShared = vi.spyOn(shared, 'destroy').mockResolvedValue();
    const router = new TenantDatabaseRouter(shared, { [tenant]: 'postgres://app@dedicated/veilig' }, async () => dedicated);
    await router.dataSourceFor(tenant);
    await router.close();
    expect(destroyDedicated).toHaveBeenCalledTimes(1);
    expect(destroyShared).not.toHaveBeenCalled();
  });
});
