import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NodeId } from '../../src/core/index.js';
import {
  createRealmCa,
  generateIdentity,
  issueNodeCertificate,
  loadCaIdentity,
  pemToDerChain,
  verifyPeerIdentity,
} from '../../src/security/index.js';
import { DAY, identityError, OTHER_REALM, REALM, tempDir } from './helpers.js';

describe('realm CA', () => {
  it('creates a CA certificate naming the realm', async () => {
    const ca = await createRealmCa(REALM);
    const x = new X509Certificate(ca.cert);
    assert.equal(ca.realm, REALM);
    assert.equal(x.ca, true);
    assert.equal(x.subject, `CN=${REALM}`);
    assert.ok(x.checkPrivateKey((await import('node:crypto')).createPrivateKey(ca.key)));
  });

  it('issues node certificates that chain to it and name the node', async () => {
    const ca = await createRealmCa(REALM);
    const node = await issueNodeCertificate(ca, REALM);
    const leaf = new X509Certificate(node.cert);
    const caCert = new X509Certificate(ca.cert);
    assert.ok(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey));
    assert.equal(leaf.ca, false);
    assert.equal(leaf.subjectAltName, `URI:macula://${REALM}/${node.nodeId.hex}`);
    assert.ok(
      node.nodeId.equals(NodeId.fromPublicKey(leaf.publicKey.export({ type: 'spki', format: 'der' }))),
    );
    assert.equal(node.ca, ca.cert);
    assert.ok(
      verifyPeerIdentity(pemToDerChain(node.cert), { realm: REALM, ca: true }).nodeId.equals(node.nodeId),
    );
    const other = await issueNodeCertificate(ca, REALM);
    assert.ok(!other.nodeId.equals(node.nodeId), 'each node gets a fresh key');
  });

  it('refuses a CA whose key is not its own', async () => {
    const ca = await createRealmCa(REALM);
    const stranger = await createRealmCa(REALM);
    await assert.rejects(
      issueNodeCertificate({ cert: ca.cert, key: stranger.key }, REALM),
      identityError('KEY_CERT_MISMATCH'),
    );
    await assert.rejects(
      issueNodeCertificate({ cert: 'nope', key: ca.key }, REALM),
      identityError('BAD_IDENTITY_FILES'),
    );
  });
});

describe('loadCaIdentity', () => {
  it('loads from PEM strings and from files', async (t) => {
    const ca = await createRealmCa(REALM);
    const node = await issueNodeCertificate(ca, REALM);
    const fromPem = await loadCaIdentity({ ca: ca.cert, cert: node.cert, key: node.key, realm: REALM });
    assert.ok(fromPem.nodeId.equals(node.nodeId));
    assert.equal(fromPem.ca, ca.cert);
    const dir = tempDir(t);
    const files = {
      caFile: join(dir, 'ca.crt'),
      certFile: join(dir, 'node.crt'),
      keyFile: join(dir, 'node.key'),
    };
    writeFileSync(files.caFile, ca.cert);
    writeFileSync(files.certFile, node.cert);
    writeFileSync(files.keyFile, node.key);
    const fromFiles = await loadCaIdentity(files);
    assert.ok(fromFiles.nodeId.equals(node.nodeId));
    assert.equal(fromFiles.realm, REALM);
    await assert.rejects(
      loadCaIdentity({ ...files, keyFile: join(dir, 'missing.key') }),
      identityError('BAD_IDENTITY_FILES', /missing\.key/),
    );
  });

  it('refuses a certificate from another CA, a foreign key, another realm, an expired cert', async () => {
    const ca = await createRealmCa(REALM);
    const otherCa = await createRealmCa(REALM);
    const node = await issueNodeCertificate(ca, REALM);
    await assert.rejects(
      loadCaIdentity({ ca: otherCa.cert, cert: node.cert, key: node.key }),
      identityError('UNTRUSTED_CA'),
    );
    const self = await generateIdentity(REALM);
    await assert.rejects(
      loadCaIdentity({ ca: ca.cert, cert: self.cert, key: self.key }),
      identityError('UNTRUSTED_CA'),
    );
    await assert.rejects(
      loadCaIdentity({ ca: ca.cert, cert: node.cert, key: self.key }),
      identityError('KEY_CERT_MISMATCH'),
    );
    await assert.rejects(
      loadCaIdentity({ ca: ca.cert, cert: node.cert, key: node.key, realm: OTHER_REALM }),
      identityError('WRONG_REALM'),
    );
    const old = await issueNodeCertificate(ca, REALM, {
      notBefore: new Date(Date.now() - 2 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    await assert.rejects(
      loadCaIdentity({ ca: ca.cert, cert: old.cert, key: old.key }),
      identityError('CERT_EXPIRED'),
    );
    await assert.rejects(
      loadCaIdentity({ ca: 'garbage', cert: node.cert, key: node.key }),
      identityError('BAD_IDENTITY_FILES'),
    );
  });
});
