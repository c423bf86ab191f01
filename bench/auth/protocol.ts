/** Messages between the bench process and the identity worker and development IdP it starts (JSON over IPC). */

/** What `npm run bench -- auth` matches on, and the prefix of the progress lines of all its processes. */
export const BENCHMARK_NAME = 'auth';

/** A run of one kind of operation, timed in the process that ran it. */
export interface OperationTiming {
  readonly operations: number;
  readonly wallSeconds: number;
  /** CPU time of the process that ran them, user and system, over the same time. */
  readonly cpuSeconds: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

export interface SamlPlan {
  readonly warmUpValidations: number;
  readonly measuredValidations: number;
  readonly baselineSeconds: number;
}

export interface SamlResult {
  readonly validations: OperationTiming;
  readonly signatureVerifications: OperationTiming;
  /** Size of one SAMLResponse as POSTed (base64). */
  readonly responseBytes: number;
  /** Size of the signed Assertion element inside it: the bytes the baseline verifies. */
  readonly assertionBytes: number;
}

/** What the relying party needs to reach the development IdP. */
export interface OidcSettings {
  readonly issuer: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  /** The relying party's certificate credential (`private_key_jwt`). */
  readonly credential: { readonly certificatePem: string; readonly privateKeyPem: string };
  /** The IdP's TLS certificate, self-signed: the one certificate the relying party trusts. */
  readonly trustedCaPem: string;
  /** Demo users the front channel signs in as, in turn. */
  readonly userObjectIds: readonly string[];
}

export interface OidcResult {
  readonly logins: OperationTiming;
  readonly idTokenVerifications: OperationTiming;
  readonly idTokenBytes: number;
}

export type ToIdentityWorker =
  | { type: 'saml'; plan: SamlPlan }
  | { type: 'oidc-connect'; settings: OidcSettings }
  | { type: 'oidc-prepare'; logins: number; concurrency: number }
  | { type: 'oidc-exchange'; concurrency: number; measured: boolean }
  | { type: 'oidc-finish'; baselineSeconds: number }
  | { type: 'stop' };

export type FromIdentityWorker =
  | { type: 'saml-measured'; result: SamlResult }
  | { type: 'oidc-connected' }
  | { type: 'oidc-prepared' }
  | { type: 'oidc-exchanged' }
  | { type: 'oidc-measured'; result: OidcResult };

/** The one app registration the development IdP knows in this run. */
export interface DevIdpSettings {
  readonly certFile: string;
  readonly keyFile: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  readonly credentialCertificatePem: string;
}
