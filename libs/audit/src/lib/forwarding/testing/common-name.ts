import type { PeerCertificate } from 'node:tls';

/** The subject CN of a peer certificate, if one was presented. */
export function commonName(certificate: PeerCertificate | undefined): string | undefined {
  const name: string | string[] | undefined = certificate?.subject?.CN;
  return Array.isArray(name) ? name[0] : name;
}
