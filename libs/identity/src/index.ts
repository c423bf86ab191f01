export { ENTRA_SAML_CLAIMS } from './lib/federated-identity.js';
export type { FederatedIdentity } from './lib/federated-identity.js';
export { SecretBox, SecretBoxError } from './lib/secret-box.js';
export type { SecretKey } from './lib/secret-box.js';
export { IDENTITY_MIGRATIONS } from './lib/migrations/index.js';
export { SessionStore, DEFAULT_SESSION_POLICY } from './lib/sessions/session-store.js';
export type { ActiveSession, AuthMethod, ExpiredSession, NewSession, ResolvedSession, SessionPolicy } from './lib/sessions/session-store.js';
export { PostgresSessionStore } from './lib/sessions/postgres-session-store.js';
export { DEFAULT_REDIS_KEY_PREFIX, RedisSessionStore, connectSessionRedis } from './lib/sessions/redis-session-store.js';
export type { RedisSessionStoreOptions } from './lib/sessions/redis-session-store.js';
export { TenantDirectory } from './lib/directory/tenant-directory.js';
export type { AuthMode, Tenant, TenantStatus } from './lib/directory/tenant-directory.js';
export { UserDirectory } from './lib/directory/user-directory.js';
export type { User } from './lib/directory/user-directory.js';
export { IdentityModule } from './lib/identity.module.js';
export type { IdentityModuleOptions } from './lib/identity.module.js';
export { AuthenticationGuard } from './lib/http/authentication.guard.js';
export type { AuthenticatedRequest } from './lib/http/authentication.guard.js';
export { SESSION_COOKIE, sessionTokenFrom } from './lib/http/session-cookie.js';
export { SsoConnectionRepository } from './lib/connections/sso-connection-repository.js';
export type { SsoConnection, SsoProtocol, SsoSecrets, SsoSettings } from './lib/connections/sso-connection-repository.js';
export { PendingLoginStore, SeenAssertionStore } from './lib/stores/pending-login-store.js';
export { OidcRelyingParty } from './lib/oidc/oidc-relying-party.js';
export type { BeginLoginOptions, LoginExpectations, LoginRequest, OidcRelyingPartyOptions } from './lib/oidc/oidc-relying-party.js';
export { DEFAULT_OIDC_SCOPES, validateOidcConnection } from './lib/oidc/oidc-connection.js';
export type { ClientSecretPostClientAuth, OidcClientAuth, OidcConnection, PrivateKeyJwtClientAuth } from './lib/oidc/oidc-connection.js';
export { OIDC_ERROR_REASONS, OidcError } from './lib/oidc/oidc-error.js';
export type { OidcErrorReason } from './lib/oidc/oidc-error.js';
export type { OidcFederatedIdentity } from './lib/oidc/entra-claims.js';
export { classifyAddress, createGuardedFetch } from './lib/oidc/ssrf-guard.js';
export type { BlockedAddressKind, HostResolver, OutboundRequestOptions, OutboundRequestPolicy } from './lib/oidc/ssrf-guard.js';
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_POLICY_MESSAGES, checkPassword, describePasswordRefusal, normalisePassword } from './lib/local/password-policy.js';
export type { MessageLanguage, PasswordContext, PasswordMessageKey, PasswordRefusal, PasswordRefusalCode } from './lib/local/password-policy.js';
export { ARGON2ID_PARAMETERS, OWASP_MINIMUM_ARGON2ID, PasswordHasher } from './lib/local/password-hasher.js';
export type { Argon2idParameters } from './lib/local/password-hasher.js';
export { TOTP_ALGORITHM, TOTP_DIGITS, TOTP_PERIOD_SECONDS, TOTP_SECRET_BYTES, TOTP_WINDOW_STEPS, TotpAuthenticator, totpCode, totpPurpose } from './lib/local/totp.js';
export type { TotpEnrolment, TotpEnrolmentRequest, TotpVerification, TotpVerificationRequest } from './lib/local/totp.js';
export { RECOVERY_CODE_ALPHABET, RECOVERY_CODE_BITS, RECOVERY_CODE_COUNT, findRecoveryCode, generateRecoveryCodes } from './lib/local/recovery-codes.js';
export type { RecoveryCodeSet } from './lib/local/recovery-codes.js';
export { DEFAULT_LOGIN_THROTTLE_POLICY, LoginThrottle, accountThrottleKey, ipThrottleKey } from './lib/local/login-throttle.js';
export type { LoginThrottlePolicy, SignInAttempt, ThrottleDecision, ThrottleOutcome, ThrottleStore } from './lib/local/login-throttle.js';
export { LocalSignIn, normaliseEmail } from './lib/local/local-sign-in.js';
export type {
  LocalAccount,
  LocalAccountStore,
  LocalSignInDependencies,
  PasswordAttempt,
  PasswordFailureReason,
  PasswordVerification,
  SecondFactor,
  SecondFactorAttempt,
  SecondFactorFailureReason,
  SecondFactorVerification,
} from './lib/local/local-sign-in.js';
export { IdentityEvents, LoggingIdentityEvents } from './lib/web/identity-events.js';
export type { IdentityAction, IdentityEvent } from './lib/web/identity-events.js';
export { PostgresLocalAccountStore, PostgresThrottleStore } from './lib/stores/postgres-local-stores.js';
export { SamlServiceProvider } from './lib/saml/saml-service-provider.js';
export type { SamlLogoutSubject, SamlPostBody, SamlRedirect, SamlServiceProviderDependencies } from './lib/saml/saml-service-provider.js';
export type { SamlFederatedIdentity } from './lib/saml/entra-claims.js';
export { DEFAULT_CLOCK_SKEW_MS, MAX_CLOCK_SKEW_MS, resolveSamlConnection } from './lib/saml/saml-connection.js';
export type { ResolvedSamlConnection, SamlConnection } from './lib/saml/saml-connection.js';
export { SAML_ERROR_REASONS, SamlError } from './lib/saml/saml-error.js';
export type { SamlErrorReason } from './lib/saml/saml-error.js';
export { parseIdpMetadata, spMetadataXml } from './lib/saml/idp-metadata.js';
export type { IdpMetadata } from './lib/saml/idp-metadata.js';
export type { AssertionReplayStore, SamlRequestStore } from './lib/saml/saml-stores.js';
export { FederationRegistry } from './lib/web/federation-registry.js';
export type { OidcSettings, SamlSettings } from './lib/web/federation-registry.js';
export { SsoAdministration, SsoAdministrationError } from './lib/connections/sso-administration.js';
export type { CreatedConnection, OidcConnectionInput, SamlConnectionSource } from './lib/connections/sso-administration.js';
export { parseUntrustedXml, SAML_NAMESPACES } from './lib/saml/untrusted-xml.js';
export { IdpMetadataFetchError, fetchIdpMetadata } from './lib/connections/fetch-idp-metadata.js';
export type { IdpMetadataFetchOptions, IdpMetadataSource } from './lib/connections/fetch-idp-metadata.js';
export { MetadataRefresher } from './lib/connections/metadata-refresher.js';
export type { MetadataRefreshLogger, MetadataRefreshOptions, MetadataRefreshResult } from './lib/connections/metadata-refresher.js';
export { DECLARATIONS_SCHEMA, DeclarationsError, applyDeclarations, loadDeclarations } from './lib/connections/declarations.js';
export type { ConnectionDeclaration, DeclarationOutcome, DeclarationResult, Declarations, TenantDeclaration } from './lib/connections/declarations.js';
export { RoleClaimsSink } from './lib/web/role-claims-sink.js';
export type { FederatedRoleClaims, SignInAuditContext } from './lib/web/role-claims-sink.js';
export { IDENTITY_PERMISSIONS } from './lib/identity.permissions.js';
export { SessionExpirySweeper } from './lib/sessions/session-expiry-sweeper.js';
