import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRealm } from '../core/index.js';
import { IdentityError } from './errors.js';
import { generateIdentity, type NodeIdentity, selfSignedIdentity } from './identity.js';
import { checkKey, errorText, leafOf, readIfExists, writeAtomic } from './identity-io.js';
import { importKeyPair } from './keys.js';

/** File names of an auto-mode identity inside its directory. */
export const IDENTITY_FILES = { key: 'node.key', cert: 'node.crt' } as const;
/** An auto certificate this close to its end is re-issued (same key, same node id) on load. */
const RENEW_BEFORE_MS = 30 * 86_400_000;
/** Where the auto-mode identity lives and which realm it must be for. */
export interface AutoIdentityOptions {
  /** Directory of `node.key` and `node.crt` (created with mode 0700 when missing). */
  dir: string;
  realm: string;
  /** Time validity is judged at (default: now). */
  now?: Date;
}

/**
 * The `cert: 'auto'` mode. Loads `node.key` + `node.crt` from `dir`, checking that the
 * certificate is for `realm` (`WRONG_REALM`) and belongs to the key (`KEY_CERT_MISMATCH`).
 * Without them, creates a new identity: key written with mode 0600, certificate 0644, each
 * atomically. A key without certificate, or with one that expires within 30 days, gets a
 * fresh self-signed certificate for the same key, so the node id never changes.
 */
export async function loadOrCreateIdentity(o: AutoIdentityOptions): Promise<NodeIdentity> {
  const realm = parseRealm(o.realm);
  const now = o.now ?? new Date();
  const keyPath = join(o.dir, IDENTITY_FILES.key);
  const certPath = join(o.dir, IDENTITY_FILES.cert);
  const [keyPem, certPem] = await Promise.all([readIfExists(keyPath), readIfExists(certPath)]);
  if (keyPem === undefined) {
    if (certPem !== undefined) {
      throw new IdentityError(
        'BAD_IDENTITY_FILES',
        `${certPath} exists without ${keyPath}: restore the key, or remove the certificate to create a new identity`,
      );
    }
    await mkdir(o.dir, { recursive: true, mode: 0o700 });
    const id = await generateIdentity(realm);
    await writeAtomic(keyPath, id.key, 0o600);
    await writeAtomic(certPath, id.cert, 0o644);
    return id;
  }
  if (certPem !== undefined) {
    const c = leafOf(certPem, certPath);
    if (c.realm !== realm) {
      throw new IdentityError(
        'WRONG_REALM',
        `${certPath} is for realm ${c.realm}, but the configured realm is ${realm}: use another data directory for this realm`,
      );
    }
    checkKey(c.x509, keyPem, keyPath, certPath);
    const t = now.getTime();
    if (t >= c.notBefore && t + RENEW_BEFORE_MS < c.notAfter) {
      return { nodeId: c.nodeId, realm, cert: certPem, key: keyPem };
    }
  }
  let keys: Awaited<ReturnType<typeof importKeyPair>>;
  try {
    keys = await importKeyPair(keyPem);
  } catch (cause) {
    throw new IdentityError('BAD_IDENTITY_FILES', `${keyPath}: ${errorText(cause)}`, { cause });
  }
  const id = await selfSignedIdentity(keys, realm);
  await writeAtomic(certPath, id.cert, 0o644);
  return { ...id, key: keyPem };
}
