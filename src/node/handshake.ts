import { createPrivateKey, type KeyObject, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { MaculaError } from '../core/index.js';
import { PROTOCOL_VERSION } from '../protocol/index.js';

/** Why a handshake failed; also sent to the peer in an ERROR frame. */
export type HandshakeErrorCode =
  | 'VERSION_MISMATCH'
  | 'WRONG_REALM'
  | 'NODE_ID_MISMATCH'
  | 'BAD_PROOF'
  | 'BAD_HANDSHAKE'
  | 'DUPLICATE_CONNECTION'
  | 'HANDSHAKE_TIMEOUT';

export class HandshakeError extends MaculaError {
  constructor(
    code: HandshakeErrorCode,
    message: string,
    /** True when the peer reported the failure (we received its ERROR frame). */
    readonly remote = false,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** What each side announces. */
export interface Hello {
  version: number;
  nodeId: string;
  realm: string;
  /** Optional human-readable name (for logs and tools only; never trusted for identity). */
  name?: string;
  capabilities: string[];
  /** Node start time (ms since epoch): lets a peer tell a restarted node from a stale one. */
  createdAt: number;
  /** 32 random bytes the peer must sign. */
  nonce: Uint8Array;
}

/** Proof that the sender holds the key of its certificate, bound to both ids, the realm and the peer's nonce. */
export interface Proof {
  signature: Uint8Array;
}

/** The messages, as the frame layer carries them (HANDSHAKE, HANDSHAKE_ACK, ERROR). */
export type HandshakeMessage =
  | { kind: 'hello'; hello: Hello }
  | { kind: 'proof'; proof: Proof }
  | { kind: 'error'; code: HandshakeErrorCode; message: string };

/** A bidirectional message channel over the connection's first stream. */
export interface HandshakeChannel {
  send(m: HandshakeMessage): Promise<void>;
  /** Next message; rejects on timeout/abort or when the stream ends. */
  receive(): Promise<HandshakeMessage>;
}

export interface LocalIdentity {
  nodeId: string;
  realm: string;
  name?: string;
  /** PEM private key (Ed25519 or ECDSA) behind the certificate. */
  key: string;
  capabilities: string[];
  createdAt: number;
}

export interface PeerResult {
  nodeId: string;
  realm: string;
  name?: string;
  version: number;
  capabilities: string[];
  createdAt: number;
}

/** Bytes a side signs: domain label, the verifier's nonce, signer id, verifier id, realm. */
function transcript(nonce: Uint8Array, signerId: string, verifierId: string, realm: string): Buffer {
  return Buffer.concat([
    Buffer.from('macula-handshake-v1\0'),
    nonce,
    Buffer.from(`\0${signerId}\0${verifierId}\0${realm}`),
  ]);
}

/** Ed25519 signs without a digest; ECDSA/RSA use SHA-256. */
function digestFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
}

function checkHello(h: Hello, me: LocalIdentity, peerNodeId: string): void {
  if (h.version !== PROTOCOL_VERSION) {
    throw new HandshakeError(
      'VERSION_MISMATCH',
      `Peer speaks protocol ${h.version}, we speak ${PROTOCOL_VERSION}`,
    );
  }
  if (h.realm !== me.realm)
    throw new HandshakeError('WRONG_REALM', `Peer is in realm ${h.realm}, we are in ${me.realm}`);
  if (h.nodeId !== peerNodeId) {
    throw new HandshakeError(
      'NODE_ID_MISMATCH',
      `Peer claims node id ${h.nodeId} but its certificate says ${peerNodeId}`,
    );
  }
  const wellFormed =
    Array.isArray(h.capabilities) &&
    h.capabilities.every((c) => typeof c === 'string') &&
    typeof h.createdAt === 'number' &&
    (h.name === undefined || typeof h.name === 'string');
  if (!wellFormed) throw new HandshakeError('BAD_HANDSHAKE', 'Peer hello is malformed');
  if (!(h.nonce instanceof Uint8Array) || h.nonce.byteLength !== 32) {
    throw new HandshakeError('BAD_HANDSHAKE', 'Peer hello has no 32-byte nonce');
  }
}

/** Parsed private keys, by PEM: signing happens on every handshake. Bounded by the identities a process holds. */
const privateKeys = new Map<string, KeyObject>();

function proofFor(me: LocalIdentity, peer: Hello): Proof {
  let key = privateKeys.get(me.key);
  if (!key) {
    key = createPrivateKey(me.key);
    privateKeys.set(me.key, key);
  }
  const data = transcript(peer.nonce, me.nodeId, peer.nodeId, me.realm);
  return { signature: new Uint8Array(sign(digestFor(key), data, key)) };
}

function checkProof(
  proof: Proof,
  peer: Hello,
  me: LocalIdentity,
  myNonce: Uint8Array,
  peerLeafDer: Uint8Array,
): void {
  const pub = new X509Certificate(peerLeafDer).publicKey;
  const data = transcript(myNonce, peer.nodeId, me.nodeId, me.realm);
  const ok = proof.signature instanceof Uint8Array && verify(digestFor(pub), data, pub, proof.signature);
  if (!ok) throw new HandshakeError('BAD_PROOF', 'Peer failed to prove it holds the key of its certificate');
}

async function expect<K extends HandshakeMessage['kind']>(
  ch: HandshakeChannel,
  kind: K,
): Promise<Extract<HandshakeMessage, { kind: K }>> {
  const m = await ch.receive();
  if (m.kind === 'error') throw new HandshakeError(m.code, `Peer refused the handshake: ${m.message}`, true);
  if (m.kind !== kind) throw new HandshakeError('BAD_HANDSHAKE', `Expected ${kind}, got ${m.kind}`);
  return m as Extract<HandshakeMessage, { kind: K }>;
}

/**
 * Runs the Macula handshake on a fresh connection. Both sides send a hello (version,
 * node id, realm, capabilities, start time, nonce), then a proof: a signature over the
 * peer's nonce, both node ids and the realm, made with the key of our certificate. TLS
 * already authenticated the certificates; the proof binds this conversation to them, and
 * the hello checks catch version and realm mismatches with a clear error on both sides.
 *
 * `peerNodeId` and `peerLeafDer` come from the TLS layer (the verified certificate).
 * The client (dialer) speaks first; the whole exchange is 1 RTT for the client.
 */
export async function runHandshake(
  ch: HandshakeChannel,
  role: 'client' | 'server',
  me: LocalIdentity,
  peerNodeId: string,
  peerLeafDer: Uint8Array,
): Promise<PeerResult> {
  const nonce = new Uint8Array(randomBytes(32));
  const myHello: Hello = {
    version: PROTOCOL_VERSION,
    nodeId: me.nodeId,
    realm: me.realm,
    ...(me.name ? { name: me.name } : {}),
    capabilities: me.capabilities,
    createdAt: me.createdAt,
    nonce,
  };
  try {
    let peer: Hello;
    if (role === 'client') {
      await ch.send({ kind: 'hello', hello: myHello });
      peer = (await expect(ch, 'hello')).hello;
      checkHello(peer, me, peerNodeId);
      const theirs = (await expect(ch, 'proof')).proof;
      checkProof(theirs, peer, me, nonce, peerLeafDer);
      await ch.send({ kind: 'proof', proof: proofFor(me, peer) });
    } else {
      peer = (await expect(ch, 'hello')).hello;
      checkHello(peer, me, peerNodeId);
      await ch.send({ kind: 'hello', hello: myHello });
      await ch.send({ kind: 'proof', proof: proofFor(me, peer) });
      const theirs = (await expect(ch, 'proof')).proof;
      checkProof(theirs, peer, me, nonce, peerLeafDer);
    }
    return {
      nodeId: peer.nodeId,
      realm: peer.realm,
      ...(typeof peer.name === 'string' ? { name: peer.name.slice(0, 64) } : {}),
      version: peer.version,
      capabilities: peer.capabilities,
      createdAt: peer.createdAt,
    };
  } catch (e) {
    const err =
      e instanceof HandshakeError
        ? e
        : new HandshakeError('BAD_HANDSHAKE', `Handshake failed: ${(e as Error).message}`, false, {
            cause: e,
          });
    if (!err.remote) {
      // Tell the peer why, so it can report the same reason; it may already be gone.
      await ch
        .send({ kind: 'error', code: err.code as HandshakeErrorCode, message: err.message })
        .catch(() => {});
    }
    throw err;
  }
}
