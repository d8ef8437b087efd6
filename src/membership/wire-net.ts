import type { AbortOptions } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { checkAliveKey, createSigner, createVerifier, type Ed25519KeyInput, rawPublicKey } from './auth.js';
import {
  decodePacket,
  decodeSync,
  encodePacket,
  encodeSync,
  MEMBERSHIP_MAGIC,
  MembershipWireError,
} from './codec.js';
import type { MembershipLogger } from './options.js';
import type { Swim } from './swim.js';
import type { MembershipNet, SwimMessage, SyncState } from './types.js';

/** The raw-UDP side of an endpoint (QUIC endpoints and memory endpoints both have it). */
export interface DatagramPort {
  sendRaw(to: Address, data: Uint8Array): Promise<void>;
  onRaw(handler: (data: Uint8Array, from: Address) => void): () => void;
}

export interface WireNetOptions {
  realm: string;
  selfId: string;
  /** The node's private key (PEM PKCS#8 or KeyObject): every datagram is signed with it. */
  identityKey: Ed25519KeyInput;
  port: DatagramPort;
  /** Reliable request to the node at `to` (the node runs it on a verified QUIC connection). */
  syncRequest(
    to: Address,
    payload: Uint8Array,
    opts: AbortOptions,
  ): Promise<{ from: string; payload: unknown }>;
  logger: MembershipLogger;
}

/**
 * Membership on a real network: SWIM messages as signed datagrams on the node's UDP
 * port (first byte 0x1D, beside QUIC), push-pull on a QUIC stream. Anything that fails
 * to decode or verify is dropped and counted under its error code.
 */
export class WireNet implements MembershipNet {
  readonly key: Uint8Array;
  private readonly sign: (data: Uint8Array) => Uint8Array;
  private readonly verify = createVerifier();
  private readonly pending = new Set<Promise<void>>();
  private swim: Swim | undefined;
  private off: (() => void) | undefined;

  constructor(private readonly o: WireNetOptions) {
    this.key = rawPublicKey(o.identityKey);
    this.sign = createSigner(o.identityKey);
  }

  /** Starts feeding verified datagrams to `swim`. */
  attach(swim: Swim): void {
    this.swim = swim;
    this.off = this.o.port.onRaw((data, from) => this.onDatagram(data, from));
  }

  detach(): void {
    this.off?.();
    this.off = undefined;
  }

  send(to: Address, msg: SwimMessage): void {
    let bytes: Uint8Array;
    try {
      bytes = encodePacket({ realm: this.o.realm, from: this.o.selfId, key: this.key }, msg, this.sign);
    } catch (err) {
      this.o.logger.warn({ err, kind: msg.t }, 'membership message could not be encoded');
      return;
    }
    if (this.swim) {
      this.swim.stats.bytesSent += bytes.length;
    }
    const p = this.o.port
      .sendRaw(to, bytes)
      .catch((err: unknown) => this.o.logger.debug({ err, to }, 'membership datagram not sent'))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  async sync(to: Address, state: SyncState, opts: AbortOptions): Promise<{ from: string; state: SyncState }> {
    const reply = await this.o.syncRequest(to, encodeSync(state), opts);
    if (!(reply.payload instanceof Uint8Array))
      throw new MembershipWireError('MALFORMED', 'push-pull reply is not bytes');
    const remote = decodeSync(reply.payload);
    return { from: reply.from, state: filterKeys(remote) };
  }

  /** Answers a push-pull request from `peerId` (authenticated by TLS). */
  serveSync(payload: unknown, peerId: string): Uint8Array {
    if (!this.swim) throw new MembershipWireError('MALFORMED', 'membership is not running');
    if (!(payload instanceof Uint8Array))
      throw new MembershipWireError('MALFORMED', 'push-pull request is not bytes');
    const remote = filterKeys(decodeSync(payload));
    return encodeSync(this.swim.handleSync(remote, peerId));
  }

  /** Resolves once every datagram handed to the socket went out (for a graceful leave). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private onDatagram(data: Uint8Array, from: Address): void {
    if (data[0] !== MEMBERSHIP_MAGIC || !this.swim) return;
    this.swim.stats.bytesReceived += data.length;
    try {
      const p = decodePacket(data, { realm: this.o.realm, verify: this.verify });
      if (p.from === this.o.selfId) this.swim.reject('FROM_SELF');
      else this.swim.receive(p.msg, { id: p.from, address: from });
    } catch (err) {
      this.swim.reject(err instanceof MembershipWireError ? err.code : 'MALFORMED');
    }
  }
}

/** Drops push-pull entries whose key does not derive their id (they would be forgeries). */
function filterKeys(s: SyncState): SyncState {
  return { join: s.join, entries: s.entries.filter((e) => checkAliveKey(e.id, e.key)) };
}
