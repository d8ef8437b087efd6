import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const ED25519 = { name: 'Ed25519' } as const;

/** A fresh extractable Ed25519 key pair (WebCrypto, as @peculiar/x509 wants it). */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** SubjectPublicKeyInfo DER of a public key: what node ids are hashed from. */
export async function exportSpki(publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.exportKey('spki', publicKey));
}

/**
 * The WebCrypto key pair of a PKCS#8 PEM Ed25519 private key (the public half is derived
 * from it). Throws when the PEM does not hold an Ed25519 private key.
 */
export async function importKeyPair(keyPem: string): Promise<CryptoKeyPair> {
  const privateObject = createPrivateKey(keyPem);
  if (privateObject.asymmetricKeyType !== 'ed25519') {
    throw new Error(`expected an Ed25519 private key, got ${privateObject.asymmetricKeyType ?? 'unknown'}`);
  }
  const pkcs8 = privateObject.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateObject).export({ type: 'spki', format: 'der' });
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('pkcs8', pkcs8, ED25519, true, ['sign']),
    webcrypto.subtle.importKey('spki', spki, ED25519, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}
