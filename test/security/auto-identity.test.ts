import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  generateIdentity,
  IDENTITY_FILES,
  importKeyPair,
  loadOrCreateIdentity,
  pemToDerChain,
  selfSignedIdentity,
  verifyPeerIdentity,
} from '../../src/security/index.js';
import { DAY, identityError, OTHER_REALM, REALM, tempDir } from './helpers.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('loadOrCreateIdentity (cert: auto)', () => {
  it('creates an identity once with private permissions, then reloads the same one', async (t) => {
    const dir = join(tempDir(t), 'data', 'node');
    const created = await loadOrCreateIdentity({ dir, realm: REALM });
    const keyPath = join(dir, IDENTITY_FILES.key);
    const certPath = join(dir, IDENTITY_FILES.cert);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(keyPath), 0o600);
    assert.equal(mode(certPath), 0o644);
    assert.deepEqual(readdirSync(dir).sort(), ['node.crt', 'node.key'], 'no temporary files left');
    assert.equal(readFileSync(keyPath, 'utf8'), created.key);
    assert.equal(created.realm, REALM);
    assert.equal(created.ca, undefined);
    assert.ok(
      verifyPeerIdentity(pemToDerChain(created.cert), { realm: REALM }).nodeId.equals(created.nodeId),
    );

    const again = await loadOrCreateIdentity({ dir, realm: REALM });
    assert.ok(again.nodeId.equals(created.nodeId));
    assert.equal(again.cert, created.cert);
    assert.equal(again.key, created.key);
  });

  it('refuses to reload an identity of another realm', async (t) => {
    const dir = tempDir(t);
    await loadOrCreateIdentity({ dir, realm: REALM });
    await assert.rejects(
      loadOrCreateIdentity({ dir, realm: OTHER_REALM }),
      identityError('WRONG_REALM', new RegExp(`${REALM}.*${OTHER_REALM}`)),
    );
  });

  it('refuses a key that does not belong to the certificate', async (t) => {
    const dir = tempDir(t);
    await loadOrCreateIdentity({ dir, realm: REALM });
    writeFileSync(join(dir, IDENTITY_FILES.key), (await generateIdentity(REALM)).key);
    await assert.rejects(loadOrCreateIdentity({ dir, realm: REALM }), identityError('KEY_CERT_MISMATCH'));
  });

  it('refuses a certificate without its key, and unreadable files', async (t) => {
    const dir = tempDir(t);
    const first = await loadOrCreateIdentity({ dir, realm: REALM });
    rmSync(join(dir, IDENTITY_FILES.key));
    await assert.rejects(
      loadOrCreateIdentity({ dir, realm: REALM }),
      identityError('BAD_IDENTITY_FILES', /without/),
    );
    writeFileSync(join(dir, IDENTITY_FILES.key), first.key);
    writeFileSync(join(dir, IDENTITY_FILES.cert), 'not a certificate');
    await assert.rejects(loadOrCreateIdentity({ dir, realm: REALM }), identityError('BAD_IDENTITY_FILES'));
    writeFileSync(join(dir, IDENTITY_FILES.key), 'not a key');
    rmSync(join(dir, IDENTITY_FILES.cert));
    await assert.rejects(loadOrCreateIdentity({ dir, realm: REALM }), identityError('BAD_IDENTITY_FILES'));
  });

  it('re-issues a missing or expiring certificate for the same key (same node id)', async (t) => {
    const dir = tempDir(t);
    const first = await loadOrCreateIdentity({ dir, realm: REALM });
    const certPath = join(dir, IDENTITY_FILES.cert);
    rmSync(certPath);
    const rebuilt = await loadOrCreateIdentity({ dir, realm: REALM });
    assert.ok(rebuilt.nodeId.equals(first.nodeId));
    assert.equal(rebuilt.key, first.key);
    assert.ok(existsSync(certPath));

    const keys = await importKeyPair(first.key);
    const expired = await selfSignedIdentity(keys, REALM, {
      notBefore: new Date(Date.now() - 2 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    assert.ok(expired.nodeId.equals(first.nodeId));
    writeFileSync(certPath, expired.cert);
    const renewed = await loadOrCreateIdentity({ dir, realm: REALM });
    assert.ok(renewed.nodeId.equals(first.nodeId));
    assert.equal(readFileSync(certPath, 'utf8'), renewed.cert);
    assert.ok(new Date(new X509Certificate(renewed.cert).validTo).getTime() > Date.now() + 365 * DAY);
    assert.equal(mode(certPath), 0o644);
  });

  it('refuses an invalid realm before touching the disk', async (t) => {
    const dir = join(tempDir(t), 'never');
    await assert.rejects(loadOrCreateIdentity({ dir, realm: 'Not A Realm' }), /Invalid realm/);
    assert.equal(existsSync(dir), false);
  });
});
