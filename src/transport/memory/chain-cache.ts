import { verifyChain } from '../../security/index.js';

/** How long a verdict is reused: certificate validity is checked against wall time, at this precision. */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Remembers chain verdicts per (CA set, chain) for a few seconds. Thousands of simulated
 * nodes usually share a handful of certificates, and parsing X.509 on every handshake
 * would dominate a large simulation.
 */
export class ChainVerifier {
  private readonly verdicts = new Map<string, { reason: string | null; until: number }>();
  private readonly ids = new Map<string, number>();
  private readonly chainIds = new WeakMap<readonly Uint8Array[], number>();
  private readonly caIds = new WeakMap<readonly string[], number>();

  /** Like verifyChain(chain, ca): null when valid, or the reason. Throws on unparseable input. */
  verify(chain: readonly Uint8Array[], ca: readonly string[]): string | null {
    const key = `${this.caId(ca)}:${this.chainId(chain)}`;
    const now = Date.now();
    const hit = this.verdicts.get(key);
    if (hit && hit.until > now) return hit.reason;
    const reason = verifyChain(chain, ca, new Date(now));
    if (this.verdicts.size >= MAX_ENTRIES) this.verdicts.clear();
    this.verdicts.set(key, { reason, until: now + TTL_MS });
    return reason;
  }

  private chainId(chain: readonly Uint8Array[]): number {
    let id = this.chainIds.get(chain);
    if (id === undefined) {
      id = this.intern(
        chain.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64')).join('.'),
      );
      this.chainIds.set(chain, id);
    }
    return id;
  }

  private caId(ca: readonly string[]): number {
    let id = this.caIds.get(ca);
    if (id === undefined) {
      id = this.intern(`ca\n${ca.join('\n')}`);
      this.caIds.set(ca, id);
    }
    return id;
  }

  private intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
    }
    return id;
  }
}
