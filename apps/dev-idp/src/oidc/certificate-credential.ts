import { createHash, X509Certificate, type JsonWebKey } from 'node:crypto';

export interface JsonWebKeySet {
  readonly keys: readonly JsonWebKey[];
}

/**
 * The public JWKS of an Entra certificate credential, for registering a `private_key_jwt`
 * client: the certificate's key, named by its SHA-256 thumbprint (`kid` and `x5t#S256`), the
 * name a client assertion carries in its header, as Entra expects.
 */
export function certificateCredentialJwks(certificatePem: string): JsonWebKeySet {
  const certificate = new X509Certificate(certificatePem);
  const thumbprint = createHash('sha256').update(certificate.raw).digest('base64url');
  return {
    keys: [
      {
        ...certificate.publicKey.export({ format: 'jwk' }),
        kid: thumbprint,
        'x5t#S256': thumbprint,
        use: 'sig',
        x5c: [certificate.raw.toString('base64')],
      },
    ],
  };
}
