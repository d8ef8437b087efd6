export {
  type CertificateAuthority,
  type CertificateBundle,
  type CertOptions,
  createCertificateAuthority,
  issueCertificate,
  pemToDerChain,
  verifyChain,
} from './x509.js';
