import { MaculaError } from '../core/index.js';
import { type Member, type Sender, Swim, type SwimMessage, type SwimTunables } from '../membership/index.js';
import { SeededRandom } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { AliveIndex } from './alive-index.js';
import { type SimLinkOptions, SimNetwork } from './network.js';
import { type Observation, Recorder } from './recorder.js';
import { SimClock } from './sim-clock.js';
import { exactSizer, type SyncMsg, syncSize } from './sizes.js';

/** One simulated node. `swim` is replaced when the node restarts. */
export interface SimNode {
  readonly index: number;
  readonly id: string;
  readonly address: Address;
  /** What receivers see as the sender of its datagrams. */
  readonly sender: Sender;
  swim: Swim;
  running: boolean;
  /** Announced a graceful leave (still running, no longer a member). */
  leaving: boolean;
}

export interface SwimClusterOptions {
  /** Seed of every random choice (ids, jitter, loss, probe order). */
  seed: number;
  tunables?: Partial<SwimTunables>;
  link?: SimLinkOptions;
  /** Realm the byte accounting assumes (default `org.example.mesh`). */
  realm?: string;
  /** Encoded size of a packet (default: the wire codec's exact size, signature included). */
  sizeOf?: (msg: SwimMessage) => number;
}

const KEY = new Uint8Array(32);

/**
 * SWIM nodes on a {@link SimNetwork} under one {@link SimClock}: the scenario API
 * (join, kill, restart, leave, partition, heal, loss, latency, slow node) plus a
 * {@link Recorder} that timestamps what every node learns, for the figures.
 */
export class SwimCluster {
  readonly clock = new SimClock();
  readonly random: SeededRandom;
  readonly net: SimNetwork<SwimMessage, SyncMsg, Sender>;
  readonly nodes: SimNode[] = [];
  readonly recorder: Recorder;
  private readonly byId = new Map<string, SimNode>();
  private readonly index = new AliveIndex();
  private readonly sizeOf: (msg: SwimMessage) => number;

  constructor(private readonly o: SwimClusterOptions) {
    this.random = new SeededRandom(o.seed);
    this.net = new SimNetwork(this.clock, this.random, o.link);
    const realm = o.realm ?? 'org.example.mesh';
    this.sizeOf = o.sizeOf ?? exactSizer(realm);
    this.recorder = new Recorder(this.clock, (id) => this.isUp(id));
  }

  /** Creates `n` nodes (not started). */
  add(n: number): SimNode[] {
    const out: SimNode[] = [];
    for (let i = 0; i < n; i++) {
      const index = this.nodes.length;
      const id = hexId(this.random);
      const address = { host: `n${index}`, port: 4433 };
      const node: SimNode = {
        index,
        id,
        address,
        sender: { id, address },
        swim: undefined as never,
        running: false,
        leaving: false,
      };
      node.swim = this.makeSwim(node);
      this.nodes.push(node);
      this.byId.set(id, node);
      out.push(node);
    }
    return out;
  }

  /** Starts node `i` and joins it through `seeds` (indices); resolves when a seed answered. */
  async join(i: number, seeds: readonly number[]): Promise<void> {
    const node = this.node(i);
    this.start(node);
    if (seeds.length === 0) return;
    await node.swim.join(
      seeds.map((s) => this.node(s).address),
      { timeoutMs: 5000 },
    );
  }

  /**
   * Starts nodes [from, to) one every `intervalMs`, each joining through a random
   * running node; resolves once all joined (their view may still be converging).
   */
  async joinAll(from: number, to: number, intervalMs: number): Promise<void> {
    const pending: Promise<void>[] = [];
    const up = this.up();
    for (let i = from; i < to; i++) {
      const seed = up.length > 0 ? [up[this.random.int(up.length)]!.index] : [];
      pending.push(this.join(i, seed));
      up.push(this.node(i));
      await this.clock.advance(intervalMs);
    }
    await Promise.all(pending);
  }

  /**
   * Starts every node with a converged view (for large runs): no join traffic, and one
   * shared copy of the view rather than N (which would need N² records). Starts nodes [0, count).
   */
  startConverged(count = this.nodes.length): void {
    const nodes = this.nodes.slice(0, count);
    const entries = nodes.map((n) => ({
      id: n.id,
      inc: 0,
      state: 'alive' as const,
      addr: n.address,
      key: KEY,
    }));
    const view = Swim.shareable(entries);
    for (const n of nodes) {
      n.swim.share(view);
      this.start(n);
    }
    this.index.assumeConverged(nodes.map((n) => n.id));
  }

  /** Crashes node `i`: it stops answering without a word. */
  kill(i: number): void {
    const node = this.node(i);
    if (!node.running) return;
    node.running = false;
    this.index.unwatch(node.swim);
    node.swim.stop();
    this.net.unbind(node.address);
    this.recorder.killed(node.id);
  }

  /** Restarts a killed node with an empty view (incarnation 0, like a new process) and rejoins it. */
  async restart(i: number, seeds: readonly number[]): Promise<void> {
    const node = this.node(i);
    if (node.running) throw new MaculaError('RUNNING', `node ${i} is running`);
    node.swim = this.makeSwim(node);
    node.leaving = false;
    await this.join(i, seeds);
  }

  /** Graceful leave: the node announces it and stops counting as a member (call `kill` to stop it). */
  leave(i: number): void {
    const node = this.node(i);
    this.recorder.killed(node.id);
    node.leaving = true;
    this.index.unwatch(node.swim);
    node.swim.leave();
  }

  partition(groups: ReadonlyArray<readonly number[]>): void {
    this.net.partition(groups.map((g) => g.map((i) => this.node(i).address)));
  }

  heal(): void {
    this.net.heal();
  }

  setLink(o: SimLinkOptions): void {
    this.net.setConditions(o);
  }

  /** Node `i` handles everything up to `extraMs` late (an overloaded process). */
  slow(i: number, extraMs: number): void {
    this.net.setSlow(this.node(i).address, extraMs);
    if (extraMs > 0) this.recorder.degraded.add(this.node(i).id);
    else this.recorder.degraded.delete(this.node(i).id);
  }

  async runFor(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /** Advances in `stepMs` steps until `pred` holds; resolves with the virtual time it took. */
  async runUntil(pred: () => boolean, o: { maxMs: number; stepMs?: number }): Promise<number> {
    const start = this.clock.now();
    while (!pred()) {
      if (this.clock.now() - start >= o.maxMs)
        throw new MaculaError('SIM_TIMEOUT', `condition not met within ${o.maxMs} ms`);
      await this.clock.advance(o.stepMs ?? 100);
    }
    return this.clock.now() - start;
  }

  /** Running nodes (leaving ones included). */
  up(): SimNode[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Running members: up and not leaving. */
  members(): SimNode[] {
    return this.nodes.filter((n) => n.running && !n.leaving);
  }

  /** True when every member (running, not leaving) sees exactly the members as alive. O(N). */
  converged(): boolean {
    const m = this.members().length;
    for (const n of this.nodes) {
      const want = n.running && !n.leaving ? m - 1 : 0;
      if (this.index.aliveAt(n.id) !== want) return false;
    }
    return true;
  }

  /** What node `i` believes about node `j`. */
  view(i: number, j: number): Member | undefined {
    return this.node(i).swim.member(this.node(j).id);
  }

  observations(): Observation[] {
    return this.recorder.observations;
  }

  node(i: number): SimNode {
    const n = this.nodes[i];
    if (!n) throw new MaculaError('NO_SUCH_NODE', `no node ${i}`);
    return n;
  }

  private isUp(id: string): boolean {
    return this.byId.get(id)?.running === true;
  }

  private start(node: SimNode): void {
    if (node.running) return;
    const swim = node.swim;
    this.net.bind(
      node.address,
      {
        onDatagram: (msg, from) => swim.receive(msg, from),
        onRequest: (req) => ({ from: node.id, state: swim.handleSync(req.state, req.from) }),
      },
      node.sender,
    );
    node.running = true;
    swim.start();
    this.recorder.started(node.id);
  }

  private makeSwim(node: SimNode): Swim {
    const swim = new Swim({
      self: { id: node.id, address: node.address, key: KEY, incarnation: 0 },
      clock: this.clock,
      random: this.random,
      ...(this.o.tunables ? { tunables: this.o.tunables } : {}),
      net: {
        send: (to, msg) => this.net.send(node.address, to, msg, this.sizeOf(msg)),
        sync: (to, state, opts) =>
          this.net.request(node.address, to, { from: node.id, state }, opts, syncSize),
      },
    });
    this.recorder.watch(node.id, swim);
    this.index.watch(swim);
    return swim;
  }
}

function hexId(r: SeededRandom): string {
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) parts.push((r.int(2 ** 32) >>> 0).toString(16).padStart(8, '0'));
  return parts.join(''); // a flat string: map lookups by id stay cheap
}
