import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type HandshakeChannel,
  type HandshakeMessage,
  type LocalIdentity,
  runHandshake,
} from '../../src/node/handshake.js';
import { PROTOCOL_VERSION } from '../../src/protocol/index.js';
import { AsyncQueue } from '../../src/runtime/index.js';
import { issueCertificate, pemToDerChain } from '../../src/security/index.js';

interface TestIdentity extends LocalIdentity {
  leaf: Uint8Array;
}

async function identity(realm: string): Promise<TestIdentity> {
  const { cert, key } = await issueCertificate({ commonName: 'node' });
  const leaf = pemToDerChain(cert)[0]!;
  const spki = new X509Certificate(leaf).publicKey.export({ type: 'spki', format: 'der' });
  const nodeId = createHash('sha256').update(spki).digest('hex');
  return { nodeId, realm, key, leaf, capabilities: ['pubsub', 'rpc'], createdAt: Date.now() };
}

/** Two channels wired back to back, with a hook to tamper with what the server sends. */
function channels(tamper?: (m: HandshakeMessage) => HandshakeMessage): [HandshakeChannel, HandshakeChannel] {
  const toClient = new AsyncQueue<HandshakeMessage>();
  const toServer = new AsyncQueue<HandshakeMessage>();
  const end = (q: AsyncQueue<HandshakeMessage>) => async () => {
    const r = await q.next();
    if (r.done) throw new Error('channel ended');
    return r.value;
  };
  return [
    { send: async (m) => void toServer.push(m), receive: end(toClient) },
    { send: async (m) => void toClient.push(tamper ? tamper(m) : m), receive: end(toServer) },
  ];
}

describe('Macula handshake', () => {
  it('both sides learn and prove each other’s identity', async () => {
    const [a, b] = await Promise.all([identity('org.example.mesh'), identity('org.example.mesh')]);
    const [ca, cb] = channels();
    const [seenByA, seenByB] = await Promise.all([
      runHandshake(ca, 'client', a, b.nodeId, b.leaf),
      runHandshake(cb, 'server', b, a.nodeId, a.leaf),
    ]);
    assert.equal(seenByA.nodeId, b.nodeId);
    assert.equal(seenByB.nodeId, a.nodeId);
    assert.equal(seenByA.version, PROTOCOL_VERSION);
    assert.deepEqual(seenByB.capabilities, ['pubsub', 'rpc']);
  });

  it('a realm mismatch is refused on both sides with WRONG_REALM', async () => {
    const [a, b] = await Promise.all([identity('org.example.mesh'), identity('org.other.mesh')]);
    const [ca, cb] = channels();
    const [ra, rb] = await Promise.allSettled([
      runHandshake(ca, 'client', a, b.nodeId, b.leaf),
      runHandshake(cb, 'server', b, a.nodeId, a.leaf),
    ]);
    assert.equal(ra.status, 'rejected');
    assert.equal(rb.status, 'rejected');
    assert.equal((rb as PromiseRejectedResult).reason.code, 'WRONG_REALM');
    assert.equal((ra as PromiseRejectedResult).reason.code, 'WRONG_REALM');
    assert.equal((ra as PromiseRejectedResult).reason.remote, true, 'the client hears the server’s reason');
  });

  it('a peer whose hello claims another node id than its certificate is refused', async () => {
    const [a, b] = await Promise.all([identity('org.example.mesh'), identity('org.example.mesh')]);
    const [ca, cb] = channels();
    const [ra, rb] = await Promise.allSettled([
      runHandshake(ca, 'client', a, b.nodeId, b.leaf),
      runHandshake(cb, 'server', b, 'f'.repeat(64), a.leaf),
    ]);
    assert.equal((rb as PromiseRejectedResult).reason.code, 'NODE_ID_MISMATCH');
    assert.equal((ra as PromiseRejectedResult).reason.code, 'NODE_ID_MISMATCH');
  });

  it('a version mismatch is refused with VERSION_MISMATCH', async () => {
    const [a, b] = await Promise.all([identity('org.example.mesh'), identity('org.example.mesh')]);
    const [ca, cb] = channels((m) => (m.kind === 'hello' ? { ...m, hello: { ...m.hello, version: 99 } } : m));
    const [ra] = await Promise.allSettled([
      runHandshake(ca, 'client', a, b.nodeId, b.leaf),
      runHandshake(cb, 'server', b, a.nodeId, a.leaf).catch(() => undefined),
    ]);
    assert.equal((ra as PromiseRejectedResult).reason.code, 'VERSION_MISMATCH');
  });

  it('a peer that cannot sign with its certificate’s key fails the proof', async () => {
    const [a, b, impostorKey] = await Promise.all([
      identity('org.example.mesh'),
      identity('org.example.mesh'),
      identity('org.example.mesh'),
    ]);
    // The server presents b's certificate (so its node id) but holds another key.
    const forged = { ...b, key: impostorKey.key };
    const [ca, cb] = channels();
    const [ra] = await Promise.allSettled([
      runHandshake(ca, 'client', a, b.nodeId, b.leaf),
      runHandshake(cb, 'server', forged, a.nodeId, a.leaf).catch(() => undefined),
    ]);
    assert.equal((ra as PromiseRejectedResult).reason.code, 'BAD_PROOF');
  });
});
