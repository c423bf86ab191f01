import { Identity1764100000000 } from './1764100000000-identity.js';
import { LoginThrottle1764200000000 } from './1764200000000-login-throttle.js';
import { SessionIdpLogout1764300000000 } from './1764300000000-session-idp-logout.js';
import { TenantAccessVersion1764400000000 } from './1764400000000-tenant-access-version.js';
import { SessionExpiry1764700000000 } from './1764700000000-session-expiry.js';
import { IdentityRowLevelSecurity1764600000000 } from './1764600000000-identity-row-level-security.js';

export const IDENTITY_MIGRATIONS = [
  Identity1764100000000,
  LoginThrottle1764200000000,
  SessionIdpLogout1764300000000,
  TenantAccessVersion1764400000000,
  IdentityRowLevelSecurity1764600000000, SessionExpiry1764700000000];
