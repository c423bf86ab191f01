import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { ClientSecretPost, modifyAssertion, PrivateKeyJwt, type ClientAuth } from 'openid-client';
import type { OidcClientAuth, PrivateKeyJwtClientAuth } from './oidc-connection.js';

export interface CertificateCredential {
  /** Base64url SHA-256 of the certificate's DER: Entra's `x5t#S256` header, also used as `kid`. */
  readonly thumbprintS256: string;
  readonly pkcs8: Buffer;
}

const MINIMUM_RSA_BITS = 2048;

/** Reads and checks the key pair; throws a plain Error saying what is wrong with it. */
export function readCertificateCredential(auth: Pick<PrivateKeyJwtClientAuth, 'privateKeyPem' | 'certificatePem'>): CertificateCredential {
  const privateKey = createPrivateKey(auth.privateKeyPem);
  const certificate = new X509Certificate(auth.certificatePem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('the certificate credential must be RSA, the only kind Entra accepts');
  if ((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < MINIMUM_RSA_BITS) {
    throw new Error(`the certificate credential's RSA key must be at least ${MINIMUM_RSA_BITS} bits`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new Error('privateKeyPem is not the key of certificatePem');
  if (new Date(certificate.validTo).getTime() <= Date.now()) throw new Error(`the certificate credential expired on ${certificate.validTo}`);
  return {
    thumbprintS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'der' }),
  };
}

/** Token endpoint authentication for openid-client, shaped the way Entra ID expects it. */
export function createClientAuthentication(auth: OidcClientAuth): ClientAuth {
  return auth.method === 'client_secret_post' ? ClientSecretPost(auth.clientSecret) : certificateClientAuth(readCertificateCredential(auth));
}

/**
 * Entra's certificate credential format: PS256, `x5t#S256` naming the uploaded certificate, and
 * the token endpoint (not the issuer) as audience. The assertion is only ever sent to the token
 * endpoint of the discovery document that was checked against the configured issuer.
 */
function certificateClientAuth(credential: CertificateCredential): ClientAuth {
  let signingKey: Promise<webcrypto.CryptoKey> | undefined;
  return async (server, client, body, headers) => {
    signingKey ??= webcrypto.subtle.importKey('pkcs8', credential.pkcs8, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
    const sign = PrivateKeyJwt(
      { key: await signingKey, kid: credential.thumbprintS256 },
      {
        [modifyAssertion]: (header, payload) => {
          header.typ = 'JWT';
          header['x5t#S256'] = credential.thumbprintS256;
          payload.aud = server.token_endpoint;
        },
      },
    );
    await sign(server, client, body, headers);
  };
}
