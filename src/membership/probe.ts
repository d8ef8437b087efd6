import type { Clock, TimerHandle } from '../runtime/index.js';
import type { Address } from '../transport/index.js';
import type { MemberRecord } from './member-table.js';
import type { SwimTunables } from './options.js';
import type { MembershipState } from './state.js';
import type { Sender, SwimMessage, Update } from './types.js';

type Pending =
  | { kind: 'probe'; target: MemberRecord; acked: boolean; nacks: number; expectedNacks: number }
  | { kind: 'relay'; origin: Address; originSeq: number; timer: TimerHandle; done: boolean };

/**
 * One SWIM probe per protocol period: a direct ping; without an ack after the probe
 * timeout, ping-req through `indirectChecks` other members; without any ack by the end
 * of the period, the target becomes suspect. Relays answer a ping-req with the target's
 * ack or, Lifeguard-style, a nack, so a prober that hears no nacks knows the fault may be its own.
 */
export class Prober {
  private seq = 0;
  private stopped = false;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly state: MembershipState,
    private readonly t: SwimTunables,
    private readonly clock: Clock,
    private readonly send: (to: Address, msg: SwimMessage) => void,
  ) {}

  /** Runs one probe round against the next target in the round-robin order. */
  probeNext(): void {
    const target = this.state.table.nextProbeTarget();
    if (!target) return;
    this.state.stats.probes++;
    const seq = this.nextSeq();
    const p: Pending = { kind: 'probe', target, acked: false, nacks: 0, expectedNacks: 0 };
    this.pending.set(seq, p);
    // Buddy system: a suspect hears about its suspicion first, so it can refute at once.
    const buddy = target.state === 'suspect' ? this.suspectUpdate(target) : undefined;
    this.sendWith(target.address, { t: 'ping', seq, target: target.id, updates: [] }, buddy);
    const timeout = this.state.scaled(this.t.probeTimeoutMs);
    const period = this.state.scaled(this.t.probeIntervalMs);
    this.clock.setTimeout(() => this.indirect(seq, p), timeout);
    this.clock.setTimeout(() => this.finish(seq, p), Math.max(period, timeout + 1));
  }

  /**
   * Last check before an unconfirmed suspicion becomes a dead verdict: a few direct
   * pings carrying the suspicion, spaced a probe timeout apart. A live member answers
   * with its refutation (or, if it already refuted, its current alive claim), which
   * cancels the suspicion. Returns how long to wait for an answer.
   */
  verify(target: MemberRecord): number {
    const gap = this.state.scaled(this.t.probeTimeoutMs);
    const id = target.id;
    const ping = () => {
      if (this.stopped) return;
      const r = this.state.table.get(id);
      if (r?.state === 'suspect') this.notifySuspect(r);
    };
    ping();
    for (let i = 1; i < verifyPings; i++) this.clock.setTimeout(ping, i * gap);
    return verifyPings * gap;
  }

  /** Tells a member at once that we suspect it (it may only have lost one packet). */
  notifySuspect(target: MemberRecord): void {
    const seq = this.nextSeq();
    this.sendWith(
      target.address,
      { t: 'ping', seq, target: target.id, updates: [] },
      this.suspectUpdate(target),
    );
  }

  onMessage(msg: SwimMessage, from: Sender): void {
    // A sender still spreading a rumour about us that we already refuted may have missed
    // the refutation: answer it with our current alive claim first. A sender we suspect or
    // hold dead is evidently running: answer with the accusation, so it refutes at once.
    const correction = this.staleAccusation(msg.updates) ? this.state.selfAlive() : this.accusation(from.id);
    switch (msg.t) {
      case 'ping':
        if (msg.target !== this.state.self.id) this.state.reject('WRONG_TARGET');
        else this.sendWith(from.address, { t: 'ack', seq: msg.seq, updates: [] }, correction);
        return;
      case 'ping-req':
        this.relay(msg.seq, msg.target, msg.addr, from.address);
        return;
      case 'ack':
        this.onAck(msg.seq);
        return;
      case 'gossip':
        if (correction) this.sendWith(from.address, { t: 'gossip', updates: [] }, correction);
        return;
      case 'nack': {
        const p = this.pending.get(msg.seq);
        if (p?.kind === 'probe') p.nacks++;
        return;
      }
    }
  }

  /**
   * Pings a member we declared dead with that verdict (sequence 0: the ack is not awaited).
   * A member that was only stalled refutes it; a dead one costs one lost datagram.
   */
  tellDead(r: MemberRecord): void {
    this.sendWith(r.address, { t: 'ping', seq: 0, target: r.id, updates: [] }, this.accusation(r.id));
  }

  /** Sends `msg` with as many queued rumours as fit the datagram budget. */
  sendWith(to: Address, msg: SwimMessage, first?: Update): void {
    // Every member known counts, dead ones too (memberlist's estimate): while a partition
    // hides half the realm, rumours (its refutations above all) still need the full reach.
    const n = Math.max(this.state.table.size, 1);
    const limit = this.t.retransmitMult * Math.ceil(Math.log10(n + 1));
    const budget = this.t.maxPacketBytes - messageBudgetOverhead;
    msg.updates = this.state.queue.take(budget, limit, this.size, first);
    this.send(to, msg);
  }

  /** Forgets every pending probe and relay (on stop). */
  clear(): void {
    this.stopped = true;
    for (const p of this.pending.values()) if (p.kind === 'relay') this.clock.clearTimeout(p.timer);
    this.pending.clear();
  }

  size: (u: Update) => number = () => 100;

  private nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    return this.seq;
  }

  private staleAccusation(updates: readonly Update[]): boolean {
    const self = this.state.self;
    for (const u of updates) {
      if (u.id === self.id && u.t !== 'alive' && u.inc < self.incarnation) return true;
    }
    return false;
  }

  /** What we hold against `id`, as the rumour that makes it refute. */
  private accusation(id: string): Update | undefined {
    const r = this.state.table.get(id);
    if (r?.state === 'suspect') return this.suspectUpdate(r);
    return r?.state === 'dead' ? { t: 'dead', id, inc: r.incarnation, from: this.state.self.id } : undefined;
  }

  private suspectUpdate(r: MemberRecord): Update {
    return { t: 'suspect', id: r.id, inc: r.incarnation, from: this.state.self.id };
  }

  private onAck(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    if (p.kind === 'probe') {
      p.acked = true;
      return;
    }
    if (p.done) return;
    p.done = true;
    this.clock.clearTimeout(p.timer);
    this.pending.delete(seq);
    this.sendWith(p.origin, { t: 'ack', seq: p.originSeq, updates: [] });
  }

  private indirect(seq: number, p: Pending & { kind: 'probe' }): void {
    if (p.acked || this.pending.get(seq) !== p) return;
    const relays = this.state.table.randomLive(this.t.indirectChecks, p.target.id);
    p.expectedNacks = relays.length;
    this.state.stats.indirectProbes += relays.length;
    for (const r of relays) {
      this.sendWith(r.address, {
        t: 'ping-req',
        seq,
        target: p.target.id,
        addr: p.target.address,
        updates: [],
      });
    }
  }

  private finish(seq: number, p: Pending & { kind: 'probe' }): void {
    // Gone: membership stopped (clear) since the probe began.
    if (this.pending.get(seq) !== p) return;
    this.pending.delete(seq);
    if (p.acked) {
      this.state.adjustHealth(-1);
      return;
    }
    this.state.stats.probeFailures++;
    // Lifeguard: relays that did not even nack suggest our own links are the problem.
    this.state.adjustHealth(p.expectedNacks - p.nacks);
    // Re-read the record: a shared one is copied when it changes.
    const table = this.state.table;
    const target = table.get(p.target.id);
    if (!target || (target.state !== 'alive' && target.state !== 'suspect')) return;
    const wasAlive = target.state === 'alive';
    this.state.suspect(target.id, target.incarnation, this.state.self.id);
    const now = table.get(target.id);
    if (wasAlive && now?.state === 'suspect') this.notifySuspect(now);
  }

  private relay(originSeq: number, target: string, addr: Address, origin: Address): void {
    const seq = this.nextSeq();
    const timer = this.clock.setTimeout(() => {
      const p = this.pending.get(seq);
      if (p?.kind !== 'relay' || p.done) return;
      p.done = true;
      this.pending.delete(seq);
      this.sendWith(origin, { t: 'nack', seq: originSeq, updates: [] });
    }, this.t.probeTimeoutMs);
    this.pending.set(seq, { kind: 'relay', origin, originSeq, timer, done: false });
    this.sendWith(addr, { t: 'ping', seq, target, updates: [] });
  }
}

/** Direct pings of the last check before a dead verdict (each round trip fails with ~2× the loss rate). */
const verifyPings = 3;

/** Room kept for the message itself when filling a datagram with rumours. */
const messageBudgetOverhead = 200;
