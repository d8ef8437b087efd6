/** The procedures this node provides, announced in the DHT as `rpc:provider:<name>`. */
import { checkProcedure, type ProcedureHandler, providerKey, RpcError } from '../rpc/index.js';
import {
  type AbortOptions,
  backoffDelay,
  type Clock,
  type Random,
  type TimerHandle,
} from '../runtime/index.js';
import type { NodeDht } from './dht.js';
import type { NodeLogger } from './types.js';

/** Registrations announce themselves for this long and are republished by the DHT. */
const ANNOUNCE_TTL_MS = 3_600_000;

interface Registration {
  handler: ProcedureHandler;
  retry?: TimerHandle;
  attempt: number;
}

/** Local providers and their DHT announcements (retried with backoff while the DHT is unreachable). */
export class Registrations {
  private readonly local = new Map<string, Registration>();
  private stopped = false;

  constructor(
    private readonly dht: NodeDht,
    private readonly o: { clock: Clock; random: Random; logger: NodeLogger },
  ) {}

  get size(): number {
    return this.local.size;
  }

  has(name: string): boolean {
    return this.local.has(name);
  }

  handler(name: string): ProcedureHandler | undefined {
    return this.local.get(name)?.handler;
  }

  /** Provides `name`; resolves after the first announcement attempt (later ones retry in the background). */
  async add(name: string, handler: ProcedureHandler): Promise<void> {
    checkProcedure(name);
    if (this.local.has(name)) throw new RpcError('ALREADY_REGISTERED', `This node already provides ${name}`);
    const reg: Registration = { handler, attempt: 0 };
    this.local.set(name, reg);
    await this.announce(name, reg);
  }

  /** Stops providing `name` and withdraws its announcement (it expires with its TTL if that fails). */
  async remove(name: string, opts?: AbortOptions): Promise<void> {
    const reg = this.local.get(name);
    if (!reg) return;
    this.local.delete(name);
    if (reg.retry) this.o.clock.clearTimeout(reg.retry);
    await this.dht.remove(providerKey(name), opts).catch((err: unknown) => {
      this.o.logger.debug({ err, name }, 'rpc: withdrawing an announcement failed; it expires with its TTL');
    });
  }

  stop(): void {
    this.stopped = true;
    for (const reg of this.local.values()) if (reg.retry) this.o.clock.clearTimeout(reg.retry);
  }

  private async announce(name: string, reg: Registration): Promise<void> {
    try {
      await this.dht.put(providerKey(name), new Uint8Array(0), { ttlMs: ANNOUNCE_TTL_MS });
      reg.attempt = 0;
    } catch (err) {
      if (this.local.get(name) !== reg || this.stopped) return;
      const delay = backoffDelay(
        reg.attempt++,
        { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2 },
        this.o.random,
      );
      this.o.logger.debug({ err, name, retryInMs: delay }, 'rpc: announcement failed; retrying');
      reg.retry = this.o.clock.setTimeout(() => {
        reg.retry = undefined;
        void this.announce(name, reg);
      }, delay);
    }
  }
}
