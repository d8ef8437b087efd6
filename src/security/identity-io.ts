// Reading and writing identity files, and the checks both identity modes share.
import { createPrivateKey, randomBytes, type X509Certificate } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { type CertIdentity, readCertIdentity } from './cert-identity.js';
import { IdentityError } from './errors.js';
import { pemToDerChain } from './x509.js';

/** The message of an unknown thrown value. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** File text, or undefined when it does not exist; other failures are `BAD_IDENTITY_FILES`. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdentityError('BAD_IDENTITY_FILES', `Cannot read ${path}: ${errorText(cause)}`, { cause });
  }
}

/** Writes via a temporary file and rename, so a crash never leaves a half-written file. */
export async function writeAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(tmp, 'wx', mode);
  try {
    await file.writeFile(data);
    await file.chmod(mode); // the umask may have narrowed `mode`
    await file.sync();
  } catch (e) {
    await file.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await file.close();
  await rename(tmp, path).catch(async (e: unknown) => {
    await unlink(tmp).catch(() => {});
    throw e;
  });
}

/** The node identity of a PEM certificate's leaf; errors name `label` (a path or a role). */
export function leafOf(certPem: string, label: string): CertIdentity {
  let leaf: Uint8Array | undefined;
  try {
    leaf = pemToDerChain(certPem)[0];
  } catch {
    leaf = undefined;
  }
  if (leaf === undefined) throw new IdentityError('BAD_IDENTITY_FILES', `${label} holds no PEM certificate`);
  try {
    return readCertIdentity(leaf);
  } catch (cause) {
    if (cause instanceof IdentityError && cause.code === 'BAD_CERTIFICATE') {
      throw new IdentityError('BAD_IDENTITY_FILES', `${label}: ${cause.message}`, { cause });
    }
    if (cause instanceof IdentityError)
      throw new IdentityError(cause.code, `${label}: ${cause.message}`, { cause });
    throw cause;
  }
}

/** Throws `KEY_CERT_MISMATCH` unless `keyPem` is the private key of `cert`. */
export function checkKey(cert: X509Certificate, keyPem: string, keyLabel: string, certLabel: string): void {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    throw new IdentityError('BAD_IDENTITY_FILES', `${keyLabel} holds no readable private key`, { cause });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new IdentityError('KEY_CERT_MISMATCH', `${keyLabel} is not the private key of ${certLabel}`);
  }
}
