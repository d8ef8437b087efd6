import type { Clock } from '../../runtime/index.js';
import { TLS_ALERT, TlsError } from '../errors.js';
import type { Address, EndpointStats, TlsOptions } from '../types.js';
import type { ChainVerifier } from './chain-cache.js';
import { checkPeer, type Refusal } from './handshake.js';
import type { Frame, PeerParams } from './packets.js';

/** What the handshake needs from its endpoint. */
export interface HandshakeEnv {
  readonly opts: {
    readonly tls: TlsOptions;
    readonly ca: readonly string[] | undefined;
    /** Our chain, DER. */
    readonly chain: readonly Uint8Array[];
    readonly params: PeerParams;
  };
  readonly counters: EndpointStats;
  readonly verifier: ChainVerifier;
}

/** What the handshake does to its connection. */
export interface HandshakeHooks {
  sendFrame(f: Frame): void;
  /** Both checks passed: the connection is open. */
  handshakeDone(peerChain: readonly Uint8Array[], peer: PeerParams): void;
  /** A certificate was refused (by us: side 'local', by the peer: side 'remote'). */
  handshakeFailed(err: TlsError): void;
  rttSample(sentAt: number): void;
}

/**
 * The simulated TLS handshake, in three reliable messages: the client's `hello` with its
 * chain, the server's `accept` (after checking it) with its own, and the client's
 * `confirm` (after checking that). Either side answers a refused chain with `reject`
 * and the TLS alert. The server opens only on `confirm`, so a connection reaches
 * accept() only once both checks passed.
 */
export class Handshake {
  private peer: PeerParams | undefined;
  private sentAt: number;
  private done = false;

  constructor(
    private readonly env: HandshakeEnv,
    private readonly role: 'client' | 'server',
    private readonly remoteAddress: Address,
    private readonly clock: Clock,
    private readonly hooks: HandshakeHooks,
  ) {
    this.sentAt = clock.now();
    if (role === 'client') hooks.sendFrame({ t: 'hello', chain: env.opts.chain, params: env.opts.params });
  }

  /** Handles a handshake frame; false when `f` is not one. */
  onFrame(f: Frame): boolean {
    switch (f.t) {
      case 'hello':
      case 'accept':
        if (this.peer || (f.t === 'hello') !== (this.role === 'server')) return true;
        this.peer = f.params;
        if (this.role === 'client') this.hooks.rttSample(this.sentAt);
        this.check(f.chain);
        return true;
      case 'confirm':
        if (this.role === 'server' && this.peer && this.peerChain) {
          this.hooks.rttSample(this.sentAt);
          this.finish(this.peerChain);
        }
        return true;
      case 'reject':
        if (!this.done) {
          this.done = true;
          this.hooks.handshakeFailed(
            new TlsError(`The peer refused our certificate: ${f.reason}`, 'remote', f.alert),
          );
        }
        return true;
      default:
        return false;
    }
  }

  private check(chain: readonly Uint8Array[]): void {
    const { tls, ca } = this.env.opts;
    const verifier = this.env.verifier;
    const verdict = checkPeer(tls, ca, verifier, chain, this.remoteAddress, this.role);
    if (!(verdict instanceof Promise)) {
      this.checked(verdict, chain);
      return;
    }
    void verdict.then(
      (refusal) => this.checked(refusal, chain),
      (cause: unknown) =>
        this.checked({ alert: TLS_ALERT.badCertificate, reason: String(cause), cause }, chain),
    );
  }

  /** The connection ended: a pending check must not act any more. */
  abandon(): void {
    this.done = true;
  }

  private peerChain: readonly Uint8Array[] | undefined;

  /** Our check of the peer's chain finished: refuse, or answer (server) / confirm (client). */
  private checked(refusal: Refusal | null, chain: readonly Uint8Array[]): void {
    if (this.done) return;
    if (refusal) {
      this.done = true;
      this.env.counters.handshakesFailed++;
      this.hooks.sendFrame({ t: 'reject', alert: refusal.alert, reason: refusal.reason });
      const msg = `Refused the peer's certificate: ${refusal.reason}`;
      this.hooks.handshakeFailed(new TlsError(msg, 'local', refusal.alert, { cause: refusal.cause }));
      return;
    }
    this.peerChain = chain;
    if (this.role === 'client') {
      this.hooks.sendFrame({ t: 'confirm' });
      this.finish(chain);
      return;
    }
    this.sentAt = this.clock.now();
    this.hooks.sendFrame({ t: 'accept', chain: this.env.opts.chain, params: this.env.opts.params });
  }

  private finish(chain: readonly Uint8Array[]): void {
    if (this.done || !this.peer) return;
    this.done = true;
    this.hooks.handshakeDone(chain, this.peer);
  }
}
