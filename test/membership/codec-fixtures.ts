/** Shared fixtures of the membership codec tests: real identities, signer, verifier, sample messages. */
import { Packr } from 'msgpackr/pack';
import { createSigner, createVerifier, type PacketSigner, rawPublicKey } from '../../src/membership/auth.js';
import { MembershipWireError, type MembershipWireErrorCode } from '../../src/membership/codec.js';
import type { SwimMessage, Update } from '../../src/membership/types.js';
import { generateIdentity } from '../../src/security/index.js';

export const REALM = 'org.example.mesh';

export interface Peer {
  id: string;
  key: Uint8Array;
  sign: PacketSigner;
  env: { realm: string; from: string; key: Uint8Array };
}

async function makePeer(): Promise<Peer> {
  const identity = await generateIdentity(REALM);
  const key = rawPublicKey(identity.key);
  return {
    id: identity.nodeId.hex,
    key,
    sign: createSigner(identity.key),
    env: { realm: REALM, from: identity.nodeId.hex, key },
  };
}

let peers: Promise<Peer[]> | undefined;
/** Three real identities, made once per test file. */
export function getPeers(): Promise<Peer[]> {
  peers ??= Promise.all([makePeer(), makePeer(), makePeer()]);
  return peers;
}

export const verify = createVerifier();
export const opts = { realm: REALM, verify };

export const ADDR = { host: '192.0.2.10', port: 4433 };

/** One update of every kind, about `p` and accused by `q`. */
export function sampleUpdates(p: Peer, q: Peer): Update[] {
  return [
    { t: 'alive', id: p.id, inc: 3, addr: ADDR, key: p.key },
    {
      t: 'alive',
      id: p.id,
      inc: 70_000,
      addr: { host: 'node-1.example.org', port: 0 },
      key: p.key,
      name: 'édith',
    },
    { t: 'suspect', id: p.id, inc: 0, from: q.id },
    { t: 'dead', id: p.id, inc: 2 ** 32 - 1, from: q.id },
    { t: 'left', id: p.id, inc: 255 },
  ];
}

/** One message of every kind. */
export function sampleMessages(p: Peer, q: Peer): SwimMessage[] {
  const updates = sampleUpdates(p, q);
  return [
    { t: 'ping', seq: 1, target: q.id, updates },
    { t: 'ack', seq: 2 ** 32 - 1, updates: [] },
    { t: 'ping-req', seq: 300, target: q.id, addr: { host: '::1', port: 65535 }, updates },
    { t: 'nack', seq: 0, updates: updates.slice(0, 1) },
    { t: 'gossip', updates },
    { t: 'gossip', updates: [] },
  ];
}

const packr = new Packr({ useRecords: false, structuredClone: false });
/** Packs Set, Error, RegExp and typed arrays as msgpackr extensions, which msgpackr always decodes. */
export const extPackr = new Packr({ useRecords: false, structuredClone: false, moreTypes: true });

/** A packet with an arbitrary (possibly invalid) body, validly framed and signed by `p`. */
export function rawPacket(body: unknown, p: Peer, prefix = [0x1d, 1], packer = packr): Uint8Array {
  const b = packer.pack(body);
  const signed = new Uint8Array(prefix.length + b.length);
  signed.set(prefix);
  signed.set(b, prefix.length);
  const sig = p.sign(signed);
  const out = new Uint8Array(signed.length + sig.length);
  out.set(signed);
  out.set(sig, signed.length);
  return out;
}

/** The wire body of a valid ping from `p` to `q` (no updates), to mutate one field at a time. */
export function pingBody(p: Peer, q: Peer): unknown[] {
  return [REALM, hexBytes(p.id), p.key, 0, 7, hexBytes(q.id), []];
}

export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** An assert.throws matcher for a MembershipWireError with `code`. */
export function wireError(code: MembershipWireErrorCode): (e: unknown) => boolean {
  return (e: unknown) => {
    if (!(e instanceof MembershipWireError)) throw e;
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    return true;
  };
}
