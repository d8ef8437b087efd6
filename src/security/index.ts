export { type AutoIdentityOptions, IDENTITY_FILES, loadOrCreateIdentity } from './auto-identity.js';
export { type CaIdentitySource, loadCaIdentity } from './ca-identity.js';
export { type CertIdentity, checkValidity, readCertIdentity } from './cert-identity.js';
export { IdentityError, type IdentityErrorCode } from './errors.js';
export {
  createRealmCa,
  generateIdentity,
  issueNodeCertificate,
  type NodeIdentity,
  type RealmCa,
  selfSignedIdentity,
  type ValidityOptions,
} from './identity.js';
export { exportSpki, generateKeyPair, importKeyPair } from './keys.js';
export {
  type IdentityTlsConfig,
  identityTlsOptions,
  type PeerExpectation,
  type PeerIdentity,
  verifyPeerIdentity,
} from './verify-peer.js';
export {
  type CertificateAuthority,
  type CertificateBundle,
  type CertOptions,
  createCertificateAuthority,
  importCertificateAuthority,
  issueCertificate,
  pemToDerChain,
  verifyChain,
} from './x509.js';
