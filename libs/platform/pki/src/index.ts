export { issueCertificate } from './lib/issue-certificate.js';
export type { CertificateRequest, IssuedCertificate, KeyAlgorithm } from './lib/issue-certificate.js';
