import assert from 'node:assert/strict';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkAliveKey,
  createKeyChecker,
  createSigner,
  createVerifier,
  nodeIdOfRawKey,
  rawEd25519Key,
  rawPublicKey,
  spkiFromRaw,
} from '../../src/membership/auth.js';
import { generateIdentity, importKeyPair } from '../../src/security/index.js';
import { getPeers } from './codec-fixtures.js';

const [p, q, r] = await getPeers();
const DATA = new TextEncoder().encode('membership packet');

describe('membership auth', () => {
  it('rawPublicKey reads any form of the identity key, and its SPKI hashes to the node id', async () => {
    const identity = await generateIdentity('org.example.mesh');
    const raw = rawPublicKey(identity.key);
    assert.equal(raw.length, 32);
    assert.equal(nodeIdOfRawKey(raw), identity.nodeId.hex);
    const priv = createPrivateKey(identity.key);
    assert.deepEqual(rawPublicKey(priv), raw);
    assert.deepEqual(rawPublicKey(createPublicKey(priv)), raw);
    assert.deepEqual(
      rawPublicKey(createPublicKey(priv).export({ type: 'spki', format: 'pem' }) as string),
      raw,
    );
    const keys = await importKeyPair(identity.key);
    assert.deepEqual(rawPublicKey(keys.publicKey), raw);
    assert.deepEqual(rawPublicKey(keys.privateKey), raw);
  });

  it('spkiFromRaw and rawEd25519Key are inverse, and reject anything else', () => {
    const spki = spkiFromRaw(p!.key);
    assert.equal(spki.length, 44);
    assert.equal(createHash('sha256').update(spki).digest('hex'), p!.id);
    assert.deepEqual(rawEd25519Key(spki), p!.key);
    assert.throws(() => rawEd25519Key(spki.subarray(1)), { code: 'INVALID_ARGUMENT' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    assert.throws(() => rawEd25519Key(ec), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => spkiFromRaw(new Uint8Array(31)), { code: 'INVALID_ARGUMENT' });
  });

  it('createSigner makes Ed25519 signatures and refuses public or non-Ed25519 keys', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const sig = createSigner(privateKey)(DATA);
    assert.equal(sig.length, 64);
    assert.ok(verify(null, DATA, publicKey, sig));
    assert.throws(() => createSigner(publicKey), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => createSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), {
      code: 'INVALID_ARGUMENT',
    });
  });

  it('createVerifier: ok, bad-key, bad-signature', () => {
    const v = createVerifier();
    const sig = p!.sign(DATA);
    assert.equal(v(p!.id, p!.key, DATA, sig), 'ok');
    assert.equal(v(p!.id, p!.key, DATA, sig), 'ok'); // from the cache
    assert.equal(v(p!.id, q!.key, DATA, q!.sign(DATA)), 'bad-key'); // q's key under p's id, p cached
    assert.equal(createVerifier()(p!.id, q!.key, DATA, q!.sign(DATA)), 'bad-key'); // and uncached
    assert.equal(v(p!.id, p!.key.subarray(1), DATA, sig), 'bad-key');
    assert.equal(v(p!.id.toUpperCase(), p!.key, DATA, sig), 'bad-key');
    assert.equal(v(p!.id, p!.key, DATA.subarray(1), sig), 'bad-signature');
    assert.equal(v(p!.id, p!.key, DATA, q!.sign(DATA)), 'bad-signature');
    assert.equal(v(p!.id, p!.key, DATA, sig.subarray(1)), 'bad-signature');
    const flipped = Uint8Array.from(sig);
    flipped[10]! ^= 1;
    assert.equal(v(p!.id, p!.key, DATA, flipped), 'bad-signature');
  });

  it('createVerifier stays correct when its cache evicts', () => {
    const v = createVerifier({ maxCachedKeys: 2 });
    for (let round = 0; round < 3; round++) {
      for (const peer of [p!, q!, r!]) {
        assert.equal(v(peer.id, peer.key, DATA, peer.sign(DATA)), 'ok');
        assert.equal(v(peer.id, r === peer ? p!.key : r!.key, DATA, peer.sign(DATA)), 'bad-key');
      }
    }
    assert.throws(() => createVerifier({ maxCachedKeys: 0 }), { code: 'INVALID_ARGUMENT' });
  });

  it('createVerifier never throws on a key that is not a curve point', () => {
    // y = 2^255 - 1 is not a canonical field element, so this is not a valid Ed25519 point.
    const junk = new Uint8Array(32).fill(0xff);
    junk[31] = 0x7f;
    const id = nodeIdOfRawKey(junk);
    const result = createVerifier()(id, junk, DATA, new Uint8Array(64));
    assert.ok(result === 'bad-key' || result === 'bad-signature', result);
  });

  it('checkAliveKey binds a key to its id', () => {
    assert.ok(checkAliveKey(p!.id, p!.key));
    assert.ok(checkAliveKey(p!.id, p!.key)); // cached
    assert.ok(!checkAliveKey(p!.id, q!.key));
    assert.ok(!checkAliveKey(q!.id, p!.key));
    assert.ok(!checkAliveKey(p!.id, p!.key.subarray(1)));
    assert.ok(!checkAliveKey('nope', p!.key));
    const check = createKeyChecker({ maxCachedKeys: 1 });
    for (const peer of [p!, q!, r!, p!]) {
      assert.ok(check(peer.id, peer.key));
      assert.ok(!check(peer.id, peer === p ? q!.key : p!.key));
    }
  });

  it('a signature made with node:crypto directly verifies too (plain Ed25519, no prehash)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    const id = nodeIdOfRawKey(raw);
    assert.equal(createVerifier()(id, raw, DATA, sign(null, DATA, privateKey)), 'ok');
  });
});
