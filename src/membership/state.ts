import type { Clock, Emitter } from '../runtime/index.js';
import { BroadcastQueue } from './broadcast-queue.js';
import { isLive, type MemberRecord, MemberTable } from './member-table.js';
import type { MembershipLogger, SwimTunables } from './options.js';
import { Suspicion } from './suspicion.js';
import type { AliveUpdate, MembershipEvents, MembershipStats, SyncEntry, Update } from './types.js';

/**
 * The member table and the rules that change it: SWIM's incarnation ordering (alive at
 * a higher incarnation beats suspect, suspect beats alive at the same one, dead and left
 * are final for an incarnation), refutation of rumours about ourselves, Lifeguard's
 * suspicion timers, and the rumour queue every accepted change is re-gossiped through.
 */
export class MembershipState {
  readonly table: MemberTable;
  readonly queue: BroadcastQueue;
  private readonly suspicions = new Map<string, Suspicion>();
  /** Lifeguard local health (0 = healthy); scales our probe interval and timeout. */
  health = 0;
  leaving = false;
  /**
   * Last check before an unconfirmed suspicion of `r` becomes a dead verdict (the prober
   * pings `r` with the suspicion, so its answer carries the refutation); returns how
   * long to wait for that answer.
   */
  verify: ((r: MemberRecord) => number) | undefined;

  constructor(
    readonly self: MemberRecord,
    table: MemberTable,
    private readonly t: SwimTunables,
    private readonly clock: Clock,
    private readonly events: Emitter<MembershipEvents>,
    readonly stats: MembershipStats,
    private readonly checkKey: (id: string, key: Uint8Array) => boolean,
    private readonly log: MembershipLogger,
  ) {
    this.table = table;
    this.queue = new BroadcastQueue(t.maxQueuedUpdates);
    table.add(self);
  }

  /** Counts a rejected input under `reason`. */
  reject(reason: string): void {
    this.stats.rejected[reason] = (this.stats.rejected[reason] ?? 0) + 1;
  }

  adjustHealth(delta: number): void {
    this.health = Math.min(this.t.maxHealth, Math.max(0, this.health + delta));
  }

  /** Multiplies a duration by the local health factor. */
  scaled(ms: number): number {
    return ms * (this.health + 1);
  }

  /** Our own alive claim at the current incarnation. */
  selfAlive(): AliveUpdate {
    const s = this.self;
    return {
      t: 'alive',
      id: s.id,
      inc: s.incarnation,
      addr: s.address,
      key: s.key,
      ...(s.name !== undefined ? { name: s.name } : {}),
    };
  }

  apply(u: Update): void {
    switch (u.t) {
      case 'alive':
        this.alive(u);
        return;
      case 'suspect':
        this.suspect(u.id, u.inc, u.from, true, u);
        return;
      case 'dead':
        this.dead(u.id, u.inc, u.from, 'dead', u);
        return;
      case 'left':
        this.dead(u.id, u.inc, u.id, 'left', u);
        return;
    }
  }

  /** Merges a push-pull table: remote dead counts only as suspicion, as in memberlist. */
  merge(entries: readonly SyncEntry[], fromId: string): void {
    for (const e of entries) {
      if (e.state === 'alive') {
        // Most of a push-pull is old news: skip it without building an update. (Key checks
        // matter only for news; the transport drops entries with bad keys anyway.)
        const r = this.table.get(e.id);
        if (r !== undefined && e.id !== this.self.id && isLive(r.state) && e.inc <= r.incarnation) continue;
        this.alive(aliveOf(e));
      } else if (e.state === 'left') {
        this.dead(e.id, e.inc, e.id, 'left');
      } else if (e.id === this.self.id || this.table.get(e.id)) {
        // The partner only relays this suspicion: it is no independent confirmation.
        this.suspect(e.id, e.inc, fromId, false);
      } else if (e.state === 'suspect') {
        // A member we never heard of, suspected there: learn it as alive and probe it ourselves.
        this.alive(aliveOf(e));
      }
    }
  }

  private alive(u: AliveUpdate): void {
    if (u.id === this.self.id) {
      // Someone saw us at a higher incarnation (we restarted): move past it.
      if (u.inc > this.self.incarnation && !this.leaving) this.refute(u.inc);
      return;
    }
    if (!this.checkKey(u.id, u.key)) {
      this.reject('BAD_KEY');
      return;
    }
    const now = this.clock.now();
    const found = this.table.get(u.id);
    if (!found) {
      if (this.table.size >= this.t.maxMembers) {
        this.reject('TABLE_FULL');
        return;
      }
      const rec: MemberRecord = {
        id: u.id,
        address: u.addr,
        key: u.key,
        incarnation: u.inc,
        state: 'alive',
        since: now,
      };
      if (u.name !== undefined) rec.name = u.name;
      this.table.add(rec);
      this.queue.push(u);
      this.events.emit('member:join', MemberTable.view(rec));
      return;
    }
    const moved = found.address.host !== u.addr.host || found.address.port !== u.addr.port;
    // A restarted member on a new address may reuse its old incarnation once it was declared gone.
    const takeover = !isLive(found.state) && moved && u.inc >= found.incarnation;
    if (u.inc <= found.incarnation && !takeover) return;
    const r = this.table.own(found);
    const before = r.state;
    r.incarnation = u.inc;
    r.address = u.addr;
    if (u.name !== undefined) r.name = u.name;
    this.cancelSuspicion(r.id);
    if (before !== 'alive') this.table.setState(r, 'alive', now);
    this.queue.push(u);
    const view = MemberTable.view(r);
    if (before === 'suspect') this.events.emit('member:alive', view);
    else if (before === 'dead' || before === 'left') this.events.emit('member:join', view);
    else if (moved) this.events.emit('member:update', view);
  }

  /**
   * Marks `id` suspect on `from`'s word, or counts `from` as a confirmation of an existing
   * suspicion (unless `confirms` is false: `from` merely relayed it, as in push-pull).
   * `via`: the received update saying so, re-gossiped as is rather than copied.
   */
  suspect(id: string, inc: number, from: string, confirms = true, via?: Update): void {
    if (id === this.self.id) {
      if (inc >= this.self.incarnation && !this.leaving) this.refute(inc);
      return;
    }
    const found = this.table.get(id);
    if (!found || inc < found.incarnation || !isLive(found.state)) return;
    const r = this.table.own(found);
    if (r.state === 'suspect') {
      if (inc > r.incarnation) r.incarnation = inc;
      if (confirms && this.suspicions.get(id)?.confirm(from))
        this.queue.push(via ?? { t: 'suspect', id, inc: r.incarnation, from });
      return;
    }
    r.incarnation = inc;
    this.table.setState(r, 'suspect', this.clock.now());
    const n = Math.max(this.table.live, 10);
    const min = this.t.suspicionMult * Math.log10(n) * this.t.probeIntervalMs;
    const k = Math.max(0, Math.min(this.t.suspicionConfirmations, this.table.live - 2));
    let checked = false;
    const s = new Suspicion(from, k, min, min * this.t.suspicionMaxMult, this.clock, () => {
      // Unconfirmed: we may be the one node its refutation missed (gossip reaches each
      // node only with high probability). Ask the member itself before the verdict.
      if (!checked && s.confirmations < k && this.verify) {
        checked = true;
        s.extend(this.verify(r));
        return;
      }
      this.suspicions.delete(id);
      this.dead(id, r.incarnation, this.self.id, 'dead');
    });
    this.suspicions.set(id, s);
    this.queue.push(via ?? { t: 'suspect', id, inc, from });
    this.events.emit('member:suspect', MemberTable.view(r));
  }

  private dead(id: string, inc: number, from: string, kind: 'dead' | 'left', via?: Update): void {
    if (id === this.self.id) {
      if (!this.leaving && inc >= this.self.incarnation) this.refute(inc);
      return;
    }
    const found = this.table.get(id);
    if (!found || inc < found.incarnation || !isLive(found.state)) return;
    const r = this.table.own(found);
    r.incarnation = inc;
    this.cancelSuspicion(id);
    this.table.setState(r, kind, this.clock.now());
    this.queue.push(via ?? (kind === 'left' ? { t: 'left', id, inc } : { t: 'dead', id, inc, from }));
    this.log.info({ member: id.slice(0, 8), state: kind }, kind === 'left' ? 'member left' : 'member dead');
    this.events.emit(kind === 'left' ? 'member:leave' : 'member:dead', MemberTable.view(r));
  }

  /** We were suspected, declared dead or seen at a newer incarnation: claim a higher one. */
  private refute(inc: number): void {
    this.self.incarnation = inc + 1;
    this.stats.refutations++;
    // Lifeguard: being suspected suggests we are the slow one.
    this.adjustHealth(1);
    this.queue.push(this.selfAlive());
  }

  private cancelSuspicion(id: string): void {
    const s = this.suspicions.get(id);
    if (!s) return;
    s.cancel();
    this.suspicions.delete(id);
  }

  /** Forgets dead and left members older than the retention. */
  reap(): void {
    const cutoff = this.clock.now() - this.t.deadRetentionMs;
    // Only dead and left records can expire: walk just those (copies: delete edits the lists).
    const expired = [...this.table.inState('dead'), ...this.table.inState('left')].filter(
      (r) => r.since < cutoff,
    );
    for (const r of expired) {
      this.table.delete(r.id);
      this.queue.remove(r.id);
    }
  }

  stopTimers(): void {
    for (const s of this.suspicions.values()) s.cancel();
    this.suspicions.clear();
  }
}

/** The alive claim a push-pull entry stands for. */
function aliveOf(e: SyncEntry): AliveUpdate {
  const u: AliveUpdate = { t: 'alive', id: e.id, inc: e.inc, addr: e.addr, key: e.key };
  if (e.name !== undefined) u.name = e.name;
  return u;
}
