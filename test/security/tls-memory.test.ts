import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { systemClock } from '../../src/runtime/index.js';
import {
  createRealmCa,
  generateIdentity,
  identityTlsOptions,
  issueNodeCertificate,
  loadOrCreateIdentity,
  type NodeIdentity,
  verifyPeerIdentity,
} from '../../src/security/index.js';
import { type Endpoint, MemoryNetwork, TlsError } from '../../src/transport/index.js';
import { OTHER_REALM, REALM, tempDir } from './helpers.js';

async function endpoint(
  t: TestContext,
  net: MemoryNetwork,
  host: string,
  id: NodeIdentity,
  caPem?: string,
): Promise<Endpoint> {
  const ep = await net.createEndpoint({ host, tls: identityTlsOptions(id, { realm: id.realm, caPem }) });
  t.after(() => ep.close());
  return ep;
}

async function refusal(p: Promise<unknown>): Promise<TlsError> {
  const err = await p.then(
    () => assert.fail('the dial should have been refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TlsError, `expected a TlsError, got ${String(err)}`);
  return err;
}

describe('node identities over the in-memory transport', () => {
  it('connects two auto identities of one realm; each side sees the other node id', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const alice = await loadOrCreateIdentity({ dir: tempDir(t), realm: REALM });
    const bob = await loadOrCreateIdentity({ dir: tempDir(t), realm: REALM });
    const a = await endpoint(t, net, 'a', alice);
    const b = await endpoint(t, net, 'b', bob);
    const accepted = b.accept();
    const client = await a.dial(b.address);
    const server = await accepted;
    assert.ok(verifyPeerIdentity(client.peerCertificates, { realm: REALM }).nodeId.equals(bob.nodeId));
    assert.ok(verifyPeerIdentity(server.peerCertificates, { realm: REALM }).nodeId.equals(alice.nodeId));
  });

  it('refuses a node of another realm on both sides', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const refused = new Map<string, Error[]>();
    const make = async (host: string, realm: string) => {
      const id = await generateIdentity(realm);
      const ep = await net.createEndpoint({
        host,
        tls: identityTlsOptions(id, { realm }),
        onHandshakeError: ({ error }) => refused.set(host, [...(refused.get(host) ?? []), error]),
      });
      t.after(() => ep.close());
      return ep;
    };
    const b = await make('b', REALM);
    const c = await make('c', OTHER_REALM);
    // c dials b: b refuses c's certificate; then b dials c: c refuses b's.
    const outbound = await refusal(c.dial(b.address));
    assert.equal(outbound.side, 'remote');
    assert.match(outbound.message, new RegExp(`realm ${OTHER_REALM}, expected realm ${REALM}`));
    const inbound = await refusal(b.dial(c.address));
    assert.equal(inbound.side, 'remote');
    assert.match(inbound.message, new RegExp(`realm ${REALM}, expected realm ${OTHER_REALM}`));
    for (const host of ['b', 'c']) {
      const errors = refused.get(host) ?? [];
      assert.equal(errors.length, 1, `${host} refused once`);
      assert.ok(errors[0] instanceof TlsError && errors[0].side === 'local');
    }
    assert.equal(b.connections().length + c.connections().length, 0);
  });

  it('in CA mode, connects CA-issued nodes and refuses a self-signed one of the same realm', async (t) => {
    const net = new MemoryNetwork({ clock: systemClock });
    const ca = await createRealmCa(REALM);
    const alice = await issueNodeCertificate(ca, REALM);
    const bob = await issueNodeCertificate(ca, REALM);
    const a = await endpoint(t, net, 'a', alice, ca.cert);
    const b = await endpoint(t, net, 'b', bob, ca.cert);
    const conn = await a.dial(b.address);
    assert.ok(
      verifyPeerIdentity(conn.peerCertificates, { realm: REALM, ca: true }).nodeId.equals(bob.nodeId),
    );
    const rogue = await endpoint(t, net, 'r', await generateIdentity(REALM));
    await refusal(rogue.dial(b.address));
  });
});
