import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidTenantIdentityError, TenantContext, TenantContextMissingError } from './tenant-context.js';

describe('TenantContext', () => {
  const tenantId = randomUUID();
  const actorId = randomUUID();

  it('[SE-6.2] fails closed outside a tenant context', () => {
    expect(() => TenantContext.current()).toThrow(TenantContextMissingError);
    expect(TenantContext.optional()).toBeUndefined();
  });

  it('[SE-6.2] follows the work through every await, and ends with it', async () => {
    const seen = await TenantContext.run({ tenantId, actorId }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return TenantContext.current();
    });
    expect(seen).toEqual({ tenantId, actorId });
    expect(TenantContext.optional()).toBeUndefined();
  });

  it('[SE-6.2] keeps concurrent work of different tenants apart', async () => {
    const tenants = Array.from({ length: 50 }, () => randomUUID());
    const seen = await Promise.all(
      tenants.map((id) =>
        TenantContext.run({ tenantId: id, actorId }, async () => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
          return TenantContext.current().tenantId;
        }),
      ),
    );
    expect(seen).toEqual(tenants);
  });

  it('accepts only UUIDs, in lower case, and cannot be changed afterwards', () => {
    for (const identity of [
      { tenantId: "x'; RESET app.tenant_id; --", actorId },
      { tenantId, actorId: '' },
      { tenantId: `${tenantId} `, actorId },
    ]) {
      expect(() => TenantContext.run(identity, () => undefined)).toThrow(InvalidTenantIdentityError);
    }
    const identity = TenantContext.run({ tenantId: tenantId.toUpperCase(), actorId }, () => TenantContext.current());
    expect(identity.tenantId).toBe(tenantId);
    expect(Object.isFrozen(identity)).toBe(true);
  });
});
