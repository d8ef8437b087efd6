// Presence: who is online, in which room, on which node. Every user publishes a small
// heartbeat on one realm-wide topic (`chat.presence`) every `heartbeatMs`; each process keeps
// its own table from them. A user is gone after `timeoutMs` without a heartbeat, at once when
// it says `bye` (/quit), or when membership declares its node dead or left (SWIM is usually
// faster than the timeout after a crash). The table also maps user names to node ids, which
// is what DMs need.
import type { MaculaNode } from '../../src/index.js';

export const PRESENCE_TOPIC = 'chat.presence';
/** User and room names: one topic segment each. */
export const NAME_RE = /^[A-Za-z0-9_-]{1,32}$/;

type BeatType = 'hello' | 'beat' | 'bye';
interface Beat {
  type: BeatType;
  user: string;
  room: string;
  /** When the user's process started: a restarted process (new node id) wins over the old one. */
  since: number;
}

export interface PeerInfo {
  user: string;
  room: string;
  nodeId: string;
  since: number;
  /** Local clock when its last heartbeat arrived. */
  seen: number;
}

export type GoneReason = 'timeout' | 'dead' | 'quit' | 'left';

/** A change in the table: `from` undefined = came online, `to` undefined = went offline (`reason`). */
export interface PresenceChange {
  user: string;
  from?: string;
  to?: string;
  reason?: GoneReason;
}

export interface PresenceOptions {
  user: string;
  /** The room we are in now (read at every heartbeat). */
  room: () => string;
  heartbeatMs: number;
  timeoutMs: number;
  onChange: (c: PresenceChange) => void;
}

function readBeat(p: unknown): Beat | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const b = p as Partial<Beat>;
  if (b.type !== 'hello' && b.type !== 'beat' && b.type !== 'bye') return undefined;
  if (typeof b.user !== 'string' || !NAME_RE.test(b.user)) return undefined;
  if (typeof b.room !== 'string' || !NAME_RE.test(b.room)) return undefined;
  if (typeof b.since !== 'number') return undefined;
  return { type: b.type, user: b.user, room: b.room, since: b.since };
}

export class Presence {
  private readonly table = new Map<string, PeerInfo>();
  private readonly since = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly node: MaculaNode,
    private readonly o: PresenceOptions,
  ) {}

  /** Subscribes, says hello (everyone answers with a heartbeat) and starts beating. */
  async start(): Promise<void> {
    const sub = this.node.subscribe(PRESENCE_TOPIC, (e) => this.receive(e.publisher, e.payload), {
      retained: false,
    });
    this.offs.push(() => sub.unsubscribe());
    await sub.ready;
    this.offs.push(this.node.on('member:dead', (m) => this.nodeGone(m.id, 'dead')));
    this.offs.push(this.node.on('member:leave', (m) => this.nodeGone(m.id, 'left')));
    this.timer = setInterval(() => {
      this.sweep();
      this.announce('beat');
    }, this.o.heartbeatMs);
    await this.announce('hello');
  }

  /** Says `bye` (best effort) and stops. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.announce('bye');
    for (const off of this.offs.splice(0)) off();
  }

  /** Publishes our state now (after a room switch, or as a heartbeat). */
  announce(type: BeatType = 'beat'): Promise<void> {
    const beat: Beat = { type, user: this.o.user, room: this.o.room(), since: this.since };
    // Heartbeats repeat: at-most-once is enough, and a failed one is simply the next one's job.
    return this.node.publish(PRESENCE_TOPIC, beat).then(
      () => {},
      () => {},
    );
  }

  find(user: string): PeerInfo | undefined {
    return this.table.get(user);
  }

  /** The user on node `nodeId`, if any. */
  userOf(nodeId: string): string | undefined {
    for (const p of this.table.values()) if (p.nodeId === nodeId) return p.user;
    return undefined;
  }

  /** Users in `room`, ourselves included, sorted. */
  usersIn(room: string): string[] {
    const users = [...this.table.values()].filter((p) => p.room === room).map((p) => p.user);
    if (this.o.room() === room) users.push(this.o.user);
    return users.sort();
  }

  /** Room → number of users, ourselves included. */
  rooms(): Map<string, number> {
    const out = new Map<string, number>([[this.o.room(), 1]]);
    for (const p of this.table.values()) out.set(p.room, (out.get(p.room) ?? 0) + 1);
    return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
  }

  private receive(publisher: string, payload: unknown): void {
    const b = readBeat(payload);
    if (!b || publisher === this.node.nodeId || b.user === this.o.user) return;
    const cur = this.table.get(b.user);
    if (cur && b.since < cur.since) return; // an older process still claiming the name
    if (b.type === 'bye') {
      if (cur?.nodeId === publisher) this.remove(cur, 'quit');
      return;
    }
    this.table.set(b.user, {
      user: b.user,
      room: b.room,
      nodeId: publisher,
      since: b.since,
      seen: Date.now(),
    });
    if (!cur) this.o.onChange({ user: b.user, to: b.room });
    else if (cur.room !== b.room) this.o.onChange({ user: b.user, from: cur.room, to: b.room });
    // A newcomer learns about us now rather than at our next heartbeat.
    if (b.type === 'hello') void this.announce('beat');
  }

  private sweep(): void {
    const limit = Date.now() - this.o.timeoutMs;
    for (const p of [...this.table.values()]) if (p.seen < limit) this.remove(p, 'timeout');
  }

  private nodeGone(nodeId: string, reason: GoneReason): void {
    for (const p of [...this.table.values()]) if (p.nodeId === nodeId) this.remove(p, reason);
  }

  private remove(p: PeerInfo, reason: GoneReason): void {
    this.table.delete(p.user);
    this.o.onChange({ user: p.user, from: p.room, reason });
  }
}
