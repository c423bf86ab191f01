export { startDevIdp } from './dev-idp.js';
export { DevIdpRefusedError } from './dev-idp-refused-error.js';
export type { DevIdpOptions, RunningDevIdp } from './dev-idp.js';
export { DEMO_DIRECTORIES } from './demo-directories.js';
export type { DemoDirectory, DemoUser } from './demo-directories.js';
export { certificateCredentialJwks } from './oidc/certificate-credential.js';
export type { JsonWebKeySet } from './oidc/certificate-credential.js';
export type { OidcClientRegistration } from './oidc/tenant-provider.js';
export type { SamlServiceProviderRegistration } from './saml/saml-endpoints.js';
