import { issueCertificate, type IssuedCertificate } from '@veilig/platform-pki';

export interface TestKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA made at run time for one test file: it issues receiver and client certificates. */
export interface TestAuthority {
  readonly certPem: string;
  /** For 127.0.0.1 and localhost. */
  issueServer(): Promise<TestKeyPair>;
  issueClient(commonName: string): Promise<TestKeyPair>;
}

export async function createTestAuthority(name: string): Promise<TestAuthority> {
  const root: IssuedCertificate = await issueCertificate({ subject: `CN=${name}, O=Veilig tests`, isCa: true });
  return {
    certPem: root.certPem,
    issueServer: async () => {
      const issued = await issueCertificate({
        subject: 'CN=localhost, O=Veilig tests',
        issuer: root,
        dnsNames: ['localhost'],
        ipAddresses: ['127.0.0.1'],
        extendedKeyUsages: ['serverAuth'],
      });
      return { certPem: issued.certPem, keyPem: issued.keyPem };
    },
    issueClient: async (commonName) => {
      const issued = await issueCertificate({ subject: `CN=${commonName}, O=Veilig tests`, issuer: root, extendedKeyUsages: ['clientAuth'] });
      return { certPem: issued.certPem, keyPem: issued.keyPem };
    },
  };
}
