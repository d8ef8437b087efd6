import { MaculaError } from '../core/index.js';
import { type AbortOptions, type Clock, Emitter, type Random, type TimerHandle } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import { SharedMembers } from './member-pool.js';
import { type MemberRecord, MemberTable } from './member-table.js';
import { DEFAULT_TUNABLES, type MembershipLogger, type SwimOptions, type SwimTunables } from './options.js';
import { Prober } from './probe.js';
import { RecentDeaths } from './recent-deaths.js';
import { MembershipState } from './state.js';
import { Strangers } from './strangers.js';
import type {
  Member,
  MemberState,
  MembershipEvents,
  MembershipNet,
  MembershipStats,
  Sender,
  SwimMessage,
  SyncEntry,
  SyncState,
} from './types.js';

const silent: MembershipLogger = { info() {}, warn() {}, debug() {} };

/**
 * SWIM membership with the Lifeguard extensions, for one realm. Transport-agnostic:
 * datagrams and push-pull go through the injected {@link MembershipNet}; time and
 * randomness are injected, so whole clusters run deterministically on a virtual clock.
 */
export class Swim {
  readonly tunables: SwimTunables;
  private readonly events: Emitter<MembershipEvents>;
  private readonly state: MembershipState;
  private readonly prober: Prober;
  private readonly net: MembershipNet;
  private readonly clock: Clock;
  private readonly log: MembershipLogger;
  private readonly random: Random;
  private readonly timers: TimerHandle[] = [];
  private readonly deaths = new RecentDeaths();
  private readonly strangers: Strangers;
  private joinFollowUp: TimerHandle | undefined;
  private running = false;
  private stopped = false;
  readonly stats: MembershipStats;

  constructor(o: SwimOptions) {
    this.tunables = { ...DEFAULT_TUNABLES, ...o.tunables };
    this.net = o.net;
    this.clock = o.clock;
    this.log = o.logger ?? silent;
    this.events = new Emitter((err, event) => this.log.warn({ err, event }, 'membership listener threw'));
    this.stats = {
      members: 0,
      alive: 0,
      suspect: 0,
      probes: 0,
      probeFailures: 0,
      indirectProbes: 0,
      refutations: 0,
      messagesSent: 0,
      messagesReceived: 0,
      bytesSent: 0,
      bytesReceived: 0,
      syncs: 0,
      health: 0,
      rejected: {},
    };
    const self: MemberRecord = {
      id: o.self.id,
      address: o.self.address,
      key: o.self.key,
      incarnation: o.self.incarnation ?? 0,
      state: 'alive',
      since: o.clock.now(),
      ...(o.self.name !== undefined ? { name: o.self.name } : {}),
    };
    this.random = o.random;
    this.strangers = new Strangers(o.clock, this.tunables.syncTimeoutMs);
    const table = new MemberTable(self.id, o.random);
    const checkKey = o.checkKey ?? (() => true);
    this.state = new MembershipState(
      self,
      table,
      this.tunables,
      o.clock,
      this.events,
      this.stats,
      checkKey,
      this.log,
    );
    this.prober = new Prober(this.state, this.tunables, o.clock, (to, msg) => this.sendNow(to, msg));
    if (o.updateSize) this.prober.size = o.updateSize;
    this.state.verify = (r) => this.prober.verify(r);
    this.events.on('member:dead', (m) => this.deaths.add(m.id, m.since));
  }

  get selfId(): string {
    return this.state.self.id;
  }

  get incarnation(): number {
    return this.state.self.incarnation;
  }

  /** Starts probing, periodic push-pull and partition healing. Idempotent. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop(
      () => this.state.scaled(this.tunables.probeIntervalMs),
      () => this.prober.probeNext(),
    );
    if (this.tunables.gossipIntervalMs > 0)
      this.loop(
        () => this.tunables.gossipIntervalMs,
        () => this.gossip(),
      );
    if (this.tunables.pushPullIntervalMs > 0)
      this.loop(
        () => this.pushPullInterval(),
        () => this.pushPull(),
      );
    if (this.tunables.reconnectIntervalMs > 0)
      this.loop(
        () => this.tunables.reconnectIntervalMs,
        () => this.reconnect(),
      );
    if (this.tunables.tellDeadMs > 0)
      this.loop(
        () => this.tunables.probeIntervalMs,
        () => this.tellDead(),
      );
    this.loop(
      () => Math.max(1000, this.tunables.deadRetentionMs / 10),
      () => this.state.reap(),
    );
  }

  /** Every member known, self included (dead and left ones until they are forgotten). */
  members(): Member[] {
    return [...this.state.table.values()].map(MemberTable.view);
  }

  member(id: string): Member | undefined {
    const r = this.state.table.get(id);
    return r ? MemberTable.view(r) : undefined;
  }

  /** The state this node holds for `id` (cheap: no snapshot is built). */
  stateOf(id: string): MemberState | undefined {
    return this.state.table.get(id)?.state;
  }

  /** Alive members other than self (cheap: for topology and routing). */
  aliveOthers(): Array<{ id: string; address: Address }> {
    const out: Array<{ id: string; address: Address }> = [];
    for (const r of this.state.table.values()) {
      if (r.state === 'alive' && r.id !== this.selfId) out.push({ id: r.id, address: r.address });
    }
    return out;
  }

  on<K extends keyof MembershipEvents>(event: K, listener: (e: MembershipEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  getStats(): MembershipStats {
    let alive = 0;
    let suspect = 0;
    for (const r of this.state.table.values()) {
      if (r.state === 'alive') alive++;
      else if (r.state === 'suspect') suspect++;
    }
    return {
      ...this.stats,
      members: this.state.table.size,
      alive,
      suspect,
      health: this.state.health,
      rejected: { ...this.stats.rejected },
    };
  }

  /** Counts an input rejected before it reached membership (e.g. by the wire codec). */
  reject(reason: string): void {
    this.state.reject(reason);
  }

  /** Handles one authenticated datagram. Never throws. */
  receive(msg: SwimMessage, from: Sender): void {
    if (!this.running) return;
    this.stats.messagesReceived++;
    try {
      for (const u of msg.updates) this.state.apply(u);
      this.prober.onMessage(msg, from);
      if (from.id !== this.selfId && !this.state.table.get(from.id) && !aboutSender(msg, from))
        this.introduce(from);
    } catch (err) {
      this.state.reject('INTERNAL');
      this.log.warn({ err }, 'membership message handling failed');
    }
  }

  /** Answers a push-pull: merges the remote table and returns ours (taken before the merge). */
  handleSync(remote: SyncState, from: string): SyncState {
    const ours: SyncState = { entries: this.state.table.entries(), join: false };
    this.state.merge(remote.entries, from);
    this.stats.syncs++;
    return ours;
  }

  /**
   * @internal Simulations: starts from an already converged view (these entries as if
   * learned long ago) without gossiping them.
   */
  preload(entries: readonly SyncEntry[]): void {
    this.state.merge(entries, this.selfId);
    this.state.queue.clear();
  }

  /** @internal A converged view for {@link share}: these entries, all alive since time 0. */
  static shareable(entries: readonly SyncEntry[]): SharedMembers {
    return new SharedMembers(
      entries.map((e) => ({
        id: e.id,
        address: e.addr,
        key: e.key,
        incarnation: e.inc,
        state: 'alive' as const,
        since: 0,
        ...nameOf(e),
      })),
    );
  }

  /**
   * @internal Large simulations: starts from `view` (every member alive, learned long
   * ago), read in place rather than copied; call before {@link start}.
   */
  share(view: SharedMembers): void {
    this.state.table.share(view);
  }

  /**
   * Joins through the given seeds (push-pull with each); resolves with how many answered.
   * Any one is enough: the rest of the realm learns about us by gossip.
   */
  async join(seeds: readonly Address[], opts: AbortOptions = {}): Promise<number> {
    if (this.stopped) throw new MaculaError('NOT_RUNNING', 'Membership is stopped');
    const results = await Promise.allSettled(seeds.map((s) => this.syncWith(s, true, opts)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    if (ok > 0) this.followUp();
    if (ok === 0 && seeds.length > 0) {
      const first = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      throw new MaculaError('JOIN_FAILED', `No seed answered (${seeds.length} tried)`, {
        cause: first?.reason,
      });
    }
    return ok;
  }

  /**
   * Announces a graceful leave to a few members (and to whoever it gossips to), so the
   * realm records `left` rather than a failure. Probing stops; call `stop()` after.
   */
  leave(): void {
    if (this.state.leaving || !this.running) return;
    this.state.leaving = true;
    const self = this.state.self;
    self.incarnation++;
    this.state.table.setState(self, 'left', this.clock.now());
    const u = { t: 'left' as const, id: self.id, inc: self.incarnation };
    const n = Math.max(this.state.table.live, 1);
    const fanout = Math.min(8, this.tunables.indirectChecks + Math.ceil(Math.log2(n)));
    // A ping each (their acks are ignored): the leave then spreads by their gossip.
    for (const r of this.state.table.randomLive(fanout)) {
      this.prober.sendWith(r.address, { t: 'ping', seq: 0, target: r.id, updates: [] }, u);
    }
  }

  /** Stops every timer. Idempotent; a stopped instance cannot restart. */
  stop(): void {
    this.running = false;
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    if (this.joinFollowUp) this.clock.clearTimeout(this.joinFollowUp);
    this.timers.length = 0;
    this.prober.clear();
    this.state.stopTimers();
  }

  private sendNow(to: Address, msg: SwimMessage): void {
    this.stats.messagesSent++;
    this.net.send(to, msg);
  }

  /** Runs `fn` every `interval()` ms (re-read each time: Lifeguard stretches the period). */
  private loop(interval: () => number, fn: () => void): void {
    const slot = this.timers.length;
    const tick = () => {
      if (!this.running) return;
      try {
        if (!this.state.leaving) fn();
      } catch (err) {
        this.log.warn({ err }, 'membership timer failed');
      }
      this.timers[slot] = this.clock.setTimeout(tick, interval());
    };
    // First run at a random point of the period: members started together must not
    // probe, gossip and push-pull in lockstep (synchronised push-pulls turn one suspicion
    // into many at once).
    this.timers.push(this.clock.setTimeout(tick, interval() * this.random.next()));
  }

  /** memberlist-style push gossip: fast spread of news between protocol periods. */
  private gossip(): void {
    if (this.state.queue.size === 0) return;
    for (const r of this.state.table.randomLive(this.tunables.gossipNodes)) {
      if (this.state.queue.size === 0) return;
      this.prober.sendWith(r.address, { t: 'gossip', updates: [] });
    }
  }

  private pushPullInterval(): number {
    const n = this.state.table.live;
    const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
    return this.tunables.pushPullIntervalMs * scale;
  }

  private pushPull(): void {
    const [peer] = this.state.table.randomLive(1);
    if (peer) this.background(this.syncWith(peer.address, false, {}), 'push-pull');
  }

  /** Push-pull with a random dead member: heals a partition once it is gone. */
  private reconnect(): void {
    const [peer] = this.state.table.randomIn('dead', 1);
    if (peer) this.background(this.syncWith(peer.address, false, {}), 'reconnect');
  }

  /**
   * One more push-pull a few periods after a join: members that joined at the same time
   * were in neither seed table, and their rumours may miss us (see {@link Strangers}).
   */
  private followUp(): void {
    if (this.joinFollowUp) this.clock.clearTimeout(this.joinFollowUp);
    this.joinFollowUp = this.clock.setTimeout(() => {
      this.joinFollowUp = undefined;
      if (this.running && !this.state.leaving) this.pushPull();
    }, followUpPeriods * this.tunables.probeIntervalMs);
  }

  /** Push-pull with a member we never heard of that just messaged us (see {@link Strangers}). */
  private introduce(from: Sender): void {
    if (!this.strangers.admit(from.id)) return;
    const p = this.syncWith(from.address, false, {}).finally(() => this.strangers.done());
    this.background(p, 'introduction');
  }

  /** Pings one recently declared dead member with its verdict (see {@link RecentDeaths}). */
  private tellDead(): void {
    const r = this.deaths.pick(this.state.table, this.clock.now() - this.tunables.tellDeadMs, this.random);
    if (r) this.prober.tellDead(r);
  }

  private async syncWith(to: Address, join: boolean, opts: AbortOptions): Promise<void> {
    const local: SyncState = { entries: this.state.table.entries(), join };
    const timeoutMs = opts.timeoutMs ?? this.tunables.syncTimeoutMs;
    const { from, state } = await this.net.sync(to, local, { ...opts, timeoutMs });
    if (this.stopped) return;
    this.state.merge(state.entries, from);
    this.stats.syncs++;
  }

  private background(p: Promise<void>, what: string): void {
    p.catch((err: unknown) => this.log.debug({ err, what }, 'membership sync failed'));
  }
}

/** Protocol periods between a join and its follow-up push-pull. */
const followUpPeriods = 5;

/** Whether `msg` carries a rumour about its own sender (a leave, say: nothing to learn). */
function aboutSender(msg: SwimMessage, from: Sender): boolean {
  for (const u of msg.updates) if (u.id === from.id) return true;
  return false;
}

function nameOf(e: { name?: string }): { name?: string } {
  return e.name !== undefined ? { name: e.name } : {};
}
