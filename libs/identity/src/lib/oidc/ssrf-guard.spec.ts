import { describe, expect, it } from 'vitest';
import { classifyAddress, type BlockedAddressKind } from './ssrf-guard.js';

describe('classifyAddress', () => {
  it('[SE-7.1] names the IPv4 ranges a server-side request to an IdP must never reach', () => {
    const expectations: [string, BlockedAddressKind][] = [
      ['0.0.0.0', 'unspecified'],
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['10.0.0.1', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'cgnat'],
      ['100.127.255.255', 'cgnat'],
      ['169.254.169.254', 'link-local'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['192.0.2.10', 'reserved'],
    ];
    for (const [address, kind] of expectations) expect(classifyAddress(address), address).toBe(kind);
  });

  it('[SE-7.1] names the IPv6 ranges, including IPv4 addresses carried inside IPv6', () => {
    const expectations: [string, BlockedAddressKind][] = [
      ['::', 'unspecified'],
      ['::1', 'loopback'],
      ['fd00::1', 'private'],
      ['fc12:3456::1', 'private'],
      ['fe80::1', 'link-local'],
      ['fe80::1%eth0', 'link-local'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:169.254.169.254', 'link-local'],
      ['64:ff9b::a9fe:a9fe', 'link-local'],
      ['2002:a9fe:a9fe::1', 'link-local'],
      ['2002:0a00:0001::', 'private'],
      ['::127.0.0.1', 'reserved'],
      ['2001:db8::1', 'reserved'],
    ];
    for (const [address, kind] of expectations) expect(classifyAddress(address), address).toBe(kind);
  });

  it("[SE-7.1] lets public addresses through, such as Entra ID's own", () => {
    for (const address of [
      '20.190.128.1',
      '40.126.32.1',
      '172.32.0.1',
      '100.128.0.1',
      '169.255.0.1',
      '2603:1026:3000::1',
      '64:ff9b::1434:8001',
      '::ffff:20.190.128.1',
      '2002:14be:8001::1',
    ]) {
      expect(classifyAddress(address), address).toBeUndefined();
    }
  });

  it('[SE-7.1] refuses to classify something that is not an IP address', () => {
    expect(() => classifyAddress('login.microsoftonline.com')).toThrow(TypeError);
  });
});
