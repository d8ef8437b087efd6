import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatNodeUri, NodeId } from '../../src/core/index.js';
import {
  createRealmCa,
  exportSpki,
  generateIdentity,
  generateKeyPair,
  issueCertificate,
  issueNodeCertificate,
  pemToDerChain,
  verifyPeerIdentity,
} from '../../src/security/index.js';
import { DAY, identityError, OTHER_REALM, REALM } from './helpers.js';

const der = (pem: string) => pemToDerChain(pem);

describe('verifyPeerIdentity', () => {
  it('returns the node id and realm of a valid self-signed identity', async () => {
    const id = await generateIdentity(REALM);
    const peer = verifyPeerIdentity(der(id.cert), { realm: REALM });
    assert.ok(peer.nodeId.equals(id.nodeId));
    assert.equal(peer.realm, REALM);
    // Cached parse: same answer, a second time.
    assert.ok(verifyPeerIdentity(der(id.cert), { realm: REALM }).nodeId.equals(id.nodeId));
  });

  it('refuses another realm, naming both', async () => {
    const id = await generateIdentity(OTHER_REALM);
    assert.throws(
      () => verifyPeerIdentity(der(id.cert), { realm: REALM }),
      identityError('WRONG_REALM', new RegExp(`${OTHER_REALM}.*${REALM}`)),
    );
  });

  it("refuses a forged SAN: a node id that is not the hash of the certificate's key", async () => {
    const victim = await generateIdentity(REALM);
    const forged = await issueCertificate({
      commonName: 'forged',
      uris: [formatNodeUri(REALM, victim.nodeId)],
    });
    assert.throws(
      () => verifyPeerIdentity(der(forged.cert), { realm: REALM }),
      identityError('NODE_ID_MISMATCH'),
    );
  });

  it('refuses an expired and a not-yet-valid certificate', async () => {
    const old = await generateIdentity(REALM, {
      notBefore: new Date(Date.now() - 2 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    assert.throws(() => verifyPeerIdentity(der(old.cert), { realm: REALM }), identityError('CERT_EXPIRED'));
    const id = await generateIdentity(REALM);
    const future = new Date(Date.now() + 20 * 365 * DAY);
    assert.throws(
      () => verifyPeerIdentity(der(id.cert), { realm: REALM, now: future }),
      identityError('CERT_EXPIRED'),
    );
    const past = new Date(Date.now() - DAY);
    assert.throws(
      () => verifyPeerIdentity(der(id.cert), { realm: REALM, now: past }),
      identityError('CERT_NOT_YET_VALID'),
    );
  });

  it('needs exactly one well-formed macula node URI in the SAN', async () => {
    const a = await generateIdentity(REALM);
    const b = await generateIdentity(REALM);
    const hex = a.nodeId.hex;
    const cases: [string, string[]][] = [
      ['none', []],
      ['an address URI', ['macula://10.0.0.1:4433']],
      ['two node URIs', [formatNodeUri(REALM, a.nodeId), formatNodeUri(REALM, b.nodeId)]],
      ['an upper-case duplicate', [formatNodeUri(REALM, a.nodeId), `MACULA://${REALM}/${hex}`]],
      ['a comma injection', [`macula://${REALM}/${hex}, URI:macula://${REALM}/${hex}`]],
      ['a bad realm', [`macula://Mesh/${hex}`]],
    ];
    for (const [what, uris] of cases) {
      const c = await issueCertificate({ commonName: what, uris });
      assert.throws(
        () => verifyPeerIdentity(der(c.cert), { realm: REALM }),
        identityError('BAD_CERTIFICATE'),
        what,
      );
    }
  });

  it('refuses an empty chain and bytes that are not a certificate', () => {
    assert.throws(
      () => verifyPeerIdentity([], { realm: REALM }),
      identityError('BAD_CERTIFICATE', /no certificate/),
    );
    assert.throws(
      () => verifyPeerIdentity([new Uint8Array([0x30, 3, 1, 2, 3])], { realm: REALM }),
      identityError('BAD_CERTIFICATE', /DER/),
    );
  });

  it('ignores other SAN entries', async () => {
    const keys = await generateKeyPair();
    const nodeId = NodeId.fromPublicKey(await exportSpki(keys.publicKey));
    const uris = ['https://example.org/x', formatNodeUri(REALM, nodeId)];
    const c = await issueCertificate(
      { commonName: 'extra', uris, dnsNames: ['node.example.org'] },
      undefined,
      keys,
    );
    assert.ok(verifyPeerIdentity(der(c.cert), { realm: REALM }).nodeId.equals(nodeId));
  });

  it('accepts a CA-issued leaf in CA mode', async () => {
    const ca = await createRealmCa(REALM);
    const node = await issueNodeCertificate(ca, REALM);
    const peer = verifyPeerIdentity(der(node.cert), { realm: REALM, ca: true });
    assert.ok(peer.nodeId.equals(node.nodeId));
  });

  it('in CA mode, refuses a self-signed leaf', async () => {
    const id = await generateIdentity(REALM);
    assert.throws(
      () => verifyPeerIdentity(der(id.cert), { realm: REALM, ca: true }),
      identityError('UNTRUSTED_CA'),
    );
  });
});
