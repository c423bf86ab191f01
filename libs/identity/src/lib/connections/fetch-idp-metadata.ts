import { OidcError } from '../oidc/oidc-error.js';
import { createGuardedFetch, type OutboundRequestOptions } from '../oidc/ssrf-guard.js';
import { parseIdpMetadata, type IdpMetadata } from '../saml/idp-metadata.js';
import { SamlError } from '../saml/saml-error.js';

export interface IdpMetadataFetchOptions {
  /** Development and tests only (an IdP on loopback); callers keep it off in production. */
  readonly allowPrivateNetwork: boolean;
  readonly outbound?: OutboundRequestOptions;
}

/** Reads and parses the metadata an IdP publishes at a URL. */
export type IdpMetadataSource = (url: string) => Promise<IdpMetadata>;

export class IdpMetadataFetchError extends Error {
  override readonly name = 'IdpMetadataFetchError';
}

/**
 * The one way IdP metadata is fetched, when a connection is added and when it is refreshed: through
 * the SSRF guard (https only, pinned address, no redirects, bounded), because the URL is one an
 * operator typed in. Parsed before it is returned, so a page that is not an IdP's metadata never
 * reaches a connection's settings.
 */
export async function fetchIdpMetadata(url: string, options: IdpMetadataFetchOptions): Promise<IdpMetadata> {
  const guardedFetch = createGuardedFetch({ ...options.outbound, allowPrivateNetwork: options.allowPrivateNetwork });
  let response: Response;
  try {
    response = await guardedFetch(url, {
      method: 'GET',
      headers: { accept: 'application/samlmetadata+xml, application/xml' },
      body: undefined,
      redirect: 'manual',
    });
  } catch (error) {
    if (error instanceof OidcError) throw new IdpMetadataFetchError(`IdP metadata at ${url} could not be fetched: ${error.message}`, { cause: error });
    throw error;
  }
  if (!response.ok) throw new IdpMetadataFetchError(`IdP metadata at ${url} answered HTTP ${response.status}`);
  try {
    return parseIdpMetadata(await response.text());
  } catch (error) {
    if (error instanceof SamlError) throw new IdpMetadataFetchError(`IdP metadata at ${url} is not usable: ${error.message}`, { cause: error });
    throw error;
  }
}
