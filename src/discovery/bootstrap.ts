import { AbortError, InvalidArgumentError } from '../core/index.js';
import {
  type AbortOptions,
  type BackoffOptions,
  backoffDelay,
  backoffOptions,
  raceAbort,
  type TimerHandle,
  withDeadline,
} from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { DiscoveryError } from './errors.js';
import {
  asError,
  type BootstrapAttempt,
  type BootstrapperOptions,
  type BootstrapState,
  type DiscoveryLogger,
  dedupeAddresses,
  silentDiscoveryLogger,
} from './types.js';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Joins the mesh through discovered candidates, retrying with exponential backoff and
 * jitter until one attempt succeeds, so a node whose bootstrap peers start later keeps
 * trying until they appear. Timers run on the injected clock; nothing it schedules throws.
 */
export class Bootstrapper {
  private current: BootstrapState = 'idle';
  private attempt = 0;
  private timer: TimerHandle | undefined;
  private inflight: AbortController | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly backoff: BackoffOptions;
  private readonly timeoutMs: number;
  private readonly log: DiscoveryLogger;

  /** @throws InvalidArgumentError for out-of-range backoff or timeout options. */
  constructor(private readonly opts: BootstrapperOptions) {
    this.backoff = backoffOptions(opts.backoff, DEFAULT_BACKOFF);
    this.timeoutMs = opts.attemptTimeoutMs ?? 5000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new InvalidArgumentError(`attemptTimeoutMs must be a positive number (got ${this.timeoutMs})`);
    }
    this.log = opts.logger ?? silentDiscoveryLogger;
  }

  /** Current state. */
  get state(): BootstrapState {
    return this.current;
  }

  /** Starts the attempt loop; a no-op when running, joined or stopped, or with no providers (stays idle). */
  start(): void {
    if (this.current === 'idle') this.begin();
  }

  /**
   * Runs the loop again, e.g. when the node finds itself alone after every peer died or a
   * partition. A no-op while running, after `stop()`, or with no providers.
   */
  restart(): void {
    if (this.current === 'idle' || this.current === 'joined') this.begin();
  }

  /** Final: cancels the retry timer, aborts the in-flight attempt, and rejects `joined()` waiters. */
  stop(): void {
    if (this.current === 'stopped') return;
    this.current = 'stopped';
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const ctl = this.inflight;
    this.inflight = undefined; // before abort, so the aborted attempt is recognised as stale
    ctl?.abort(new AbortError('Bootstrap stopped'));
    this.settleWaiters(new AbortError('Bootstrap stopped before joining'));
  }

  /**
   * Resolves once joined (at once if already joined). Rejects with `AbortError` on `stop()`
   * or `opts.signal`, `TimeoutError` after `opts.timeoutMs`, `DiscoveryError` `NO_PROVIDERS`
   * when there is nothing to join.
   */
  joined(opts?: AbortOptions): Promise<void> {
    if (this.current === 'joined') return Promise.resolve();
    if (this.current === 'stopped') return Promise.reject(new AbortError('Bootstrap stopped'));
    if (this.opts.providers.length === 0) {
      return Promise.reject(new DiscoveryError('NO_PROVIDERS', 'No discovery provider: nothing to join'));
    }
    let waiter!: Waiter;
    const p = new Promise<void>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    this.waiters.add(waiter);
    return withDeadline(this.opts.clock, opts, 'waiting to join the mesh', (signal) =>
      raceAbort(p, signal, () => this.waiters.delete(waiter)),
    );
  }

  private begin(): void {
    if (this.opts.providers.length === 0) {
      this.log.info({}, 'no bootstrap nodes configured; this node starts the mesh');
      return;
    }
    this.current = 'running';
    this.attempt = 0;
    this.next();
  }

  private next(): void {
    this.timer = undefined;
    const ctl = new AbortController();
    this.inflight = ctl;
    const attempt = ++this.attempt;
    // tryOnce never rejects; the handler guards against stale results after stop().
    void this.tryOnce(attempt, ctl.signal).then((result) => this.finish(ctl, result));
  }

  private async tryOnce(attempt: number, signal: AbortSignal): Promise<BootstrapAttempt> {
    const candidates = await this.gather(signal);
    if (candidates.length === 0) {
      const error = new DiscoveryError('NO_CANDIDATES', 'No discovery provider returned a candidate');
      return { attempt, candidates, error, joined: false };
    }
    try {
      const joined = await withDeadline(
        this.opts.clock,
        { signal, timeoutMs: this.timeoutMs },
        'bootstrap join',
        (s) => raceAbort(this.opts.join(candidates, { signal: s }), s),
      );
      return { attempt, candidates, joined: joined === true };
    } catch (err) {
      return { attempt, candidates, error: asError(err), joined: false };
    }
  }

  /** Every provider's candidates, asked concurrently; a provider that fails is skipped. */
  private async gather(signal: AbortSignal): Promise<Address[]> {
    const lists = await Promise.all(
      this.opts.providers.map(async (p) => {
        try {
          return await withDeadline(this.opts.clock, { signal, timeoutMs: this.timeoutMs }, p.name, (s) =>
            raceAbort(p.discover({ signal: s }), s),
          );
        } catch (err) {
          if (!signal.aborted)
            this.log.warn({ provider: p.name, err }, 'discovery provider failed; skipping it');
          return [];
        }
      }),
    );
    return dedupeAddresses(lists.flat());
  }

  private finish(ctl: AbortController, result: BootstrapAttempt): void {
    if (this.inflight !== ctl) return; // stopped while in flight
    this.inflight = undefined;
    try {
      this.opts.onAttempt?.(result);
    } catch (err) {
      this.log.warn({ err }, 'onAttempt callback threw');
    }
    if (this.current !== 'running') return; // the callback stopped us
    if (result.joined) {
      this.current = 'joined';
      this.log.info({ attempt: result.attempt }, 'joined the mesh');
      this.settleWaiters();
      return;
    }
    const delayMs = backoffDelay(result.attempt - 1, this.backoff, this.opts.random);
    const { attempt, candidates, error: err } = result;
    this.log.info({ attempt, candidates: candidates.length, delayMs, err }, 'bootstrap failed; retrying');
    this.timer = this.opts.clock.setTimeout(() => this.next(), delayMs);
  }

  private settleWaiters(err?: Error): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) {
      if (err) w.reject(err);
      else w.resolve();
    }
  }
}
