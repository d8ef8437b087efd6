// Hostile membership input against full nodes: garbage, foreign realms, forged verdicts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSigner, rawPublicKey } from '../../src/membership/auth.js';
import { encodePacket } from '../../src/membership/codec.js';
import type { SwimMessage } from '../../src/membership/index.js';
import { generateIdentity, identityTlsOptions, type NodeIdentity } from '../../src/security/index.js';
import { count, REALM, testnet } from '../helpers/testnet.js';
import { waitFor } from '../helpers/wait.js';

function packet(id: NodeIdentity, realm: string, msg: SwimMessage): Uint8Array {
  const env = { realm, from: id.nodeId.hex, key: rawPublicKey(id.key) };
  return encodePacket(env, msg, createSigner(id.key));
}

describe('mesh bad input', () => {
  it('garbage, tampered and foreign-realm datagrams are counted and change nothing', async (t) => {
    const tn = await testnet(t, 3);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 3), 10_000, 'formed');
    const target = tn.nodes[1]!;
    const raw = await generateIdentity(REALM);
    const attacker = await tn.net.createEndpoint({
      host: '10.9.9.9',
      port: 1,
      tls: identityTlsOptions(raw, { realm: REALM }),
    });
    t.after(() => attacker.close());
    const outsider = await generateIdentity('org.other.realm');
    const stranger = await generateIdentity(REALM);
    const ping: SwimMessage = { t: 'ping', seq: 1, target: target.nodeId, updates: [] };
    const good = packet(stranger, REALM, ping);
    const tampered = Uint8Array.from(good);
    tampered[20] = (tampered[20] ?? 0) ^ 0xff;
    const badSig = Uint8Array.from(good);
    badSig[badSig.length - 1] = (badSig.at(-1) ?? 0) ^ 0x01;
    const sends = [
      badSig,
      Uint8Array.of(0x1d),
      Uint8Array.of(0x1d, 9, 1, 2, 3),
      new Uint8Array(2000).fill(0x1d),
      tampered,
      packet(outsider, 'org.other.realm', ping),
    ];
    for (const s of sends) await attacker.sendRaw(target.address, s);
    // Rejections raise no event: poll the counters.
    await waitFor(
      () => Object.values(target.membershipStats()!.rejected).reduce((a, b) => a + b, 0) >= sends.length,
      {
        timeoutMs: 5000,
        what: 'all rejected',
      },
    );
    const rejected = target.membershipStats()!.rejected;
    assert.equal(rejected.BAD_SIGNATURE, 1, JSON.stringify(rejected));
    assert.equal(rejected.WRONG_REALM, 1, JSON.stringify(rejected));
    assert.equal(
      (rejected.MALFORMED ?? 0) + (rejected.BAD_VERSION ?? 0),
      sends.length - 2,
      JSON.stringify(rejected),
    );
    assert.equal(count(target, 'alive'), 3);
    assert.ok(!target.members().some((m) => m.id === outsider.nodeId.hex));
  });

  it('a forged dead verdict about a node is refuted: it stays alive everywhere at a higher incarnation', async (t) => {
    const tn = await testnet(t, 4);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 4), 10_000, 'formed');
    const victim = tn.nodes[2]!;
    const before = victim.members().find((m) => m.id === victim.nodeId)!.incarnation;
    const liar = await generateIdentity(REALM);
    const attacker = await tn.net.createEndpoint({
      host: '10.9.9.8',
      port: 1,
      tls: identityTlsOptions(liar, { realm: REALM }),
    });
    t.after(() => attacker.close());
    const forged: SwimMessage = {
      t: 'gossip',
      updates: [{ t: 'dead', id: victim.nodeId, inc: before, from: liar.nodeId.hex }],
    };
    // Told to the victim itself and to another member.
    await attacker.sendRaw(victim.address, packet(liar, REALM, forged));
    await attacker.sendRaw(tn.nodes[0]!.address, packet(liar, REALM, forged));
    // An incarnation bump without a state change raises no event: poll.
    await waitFor(
      () =>
        tn.nodes.every((n) => {
          const m = n.members().find((x) => x.id === victim.nodeId);
          return m?.state === 'alive' && m.incarnation > before;
        }),
      { timeoutMs: 10_000, what: 'refuted everywhere' },
    );
    assert.ok(victim.membershipStats()!.refutations >= 1);
  });
});
