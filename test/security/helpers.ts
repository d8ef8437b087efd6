import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { IdentityError, type IdentityErrorCode } from '../../src/security/index.js';

export const REALM = 'org.example.mesh';
export const OTHER_REALM = 'com.other.mesh';
export const DAY = 86_400_000;

/** A fresh temporary directory, removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'macula-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An assert.throws / rejects matcher for an IdentityError with `code` and a message matching `re`. */
export function identityError(code: IdentityErrorCode, re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof IdentityError)) throw e;
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (re && !re.test(e.message))
      throw new Error(`message ${JSON.stringify(e.message)} does not match ${re}`);
    return true;
  };
}
