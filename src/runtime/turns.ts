import type { Clock } from './clock.js';

/**
 * Makes async operations that can finish without I/O (a publish with no remote
 * subscriber, a call to a local procedure) hand the event loop a turn now and then.
 * Without it `for (;;) await node.publish(...)` runs on microtasks alone and starves
 * timers and sockets: the node stops answering probes and is declared dead, and the
 * subscriber-list refresh that would give the loop someone to publish to never completes.
 */
export class TurnBudget {
  private count = 0;
  private start = 0;
  private armed = false;
  private readonly turned = (): void => {
    this.armed = false;
    this.count = 0;
  };

  /**
   * @param maxMs longest run of back-to-back operations without a turn
   * @param maxCount most operations without a turn (a virtual clock does not move)
   */
  constructor(
    private readonly clock: Clock,
    private readonly maxMs = 2,
    private readonly maxCount = 4096,
  ) {}

  /** Counts one operation; returns a promise to await first when the loop is owed a turn. */
  spend(): Promise<void> | undefined {
    // Short runs cost nothing: the clock is read and a turn watched for only once a run
    // (or operations spread over turns not seen yet) reaches 64.
    if (++this.count < 64) return undefined;
    if (!this.armed) {
      this.armed = true;
      this.start = this.clock.now();
      setImmediate(this.turned);
      return undefined;
    }
    if (this.count < this.maxCount && this.clock.now() - this.start < this.maxMs) return undefined;
    return new Promise((resolve) => setImmediate(resolve));
  }
}
