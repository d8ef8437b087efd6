// The chat itself: rooms over pub/sub, `who` over RPC, DMs to a mailbox, presence from
// heartbeats (presence.ts). One Chat per process (one user per node).
//
// - A room is the topic `chat.room.<room>`: we subscribe to the room we are in only, so
//   switching rooms is unsubscribe + subscribe, and other rooms' messages never reach us.
// - `who` is RPC: every user registers `chat.who.<room>` for the room it is in (and
//   unregisters it on leaving). `/who dev` calls any provider of `chat.who.dev`, i.e. any
//   user in that room (the mesh picks one and fails over), which answers from its presence
//   table. Since several nodes provide the name, load balancing is what we want here: each
//   member of the room can answer for it. A room with no provider is empty.
// - A DM goes to the `chat.dm` mailbox of the target user's node, whose id we know from its
//   presence heartbeats (the event's publisher).
import type { MaculaNode, Subscription } from '../../src/index.js';
import { NAME_RE, Presence, type PresenceChange } from './presence.js';

const DM_MAILBOX = 'chat.dm';
const MAX_TEXT = 2000;
const HELP = [
  'commands:',
  '  <text>             say it in the current room',
  '  /join <room>       switch rooms',
  '  /who [room]        who is in a room (asks a member of that room over RPC)',
  '  /rooms             rooms with people in them',
  '  /dm <user> <text>  direct message',
  '  /quit              leave',
];

interface Said {
  user: string;
  text: string;
}

export interface ChatOptions {
  user: string;
  room: string;
  heartbeatMs: number;
  timeoutMs: number;
  /** Where every output line goes. */
  out: (line: string) => void;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, MAX_TEXT) : undefined;
}

function failure(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Chat {
  readonly presence: Presence;
  private room: string;
  private sub: Subscription<Said> | undefined;
  private readonly out: (line: string) => void;

  constructor(
    private readonly node: MaculaNode,
    private readonly o: ChatOptions,
  ) {
    this.room = o.room;
    this.out = o.out;
    this.presence = new Presence(node, {
      user: o.user,
      room: () => this.room,
      heartbeatMs: o.heartbeatMs,
      timeoutMs: o.timeoutMs,
      onChange: (c) => this.presenceChanged(c),
    });
  }

  /** Opens the DM mailbox, enters the first room, then announces us. */
  async start(): Promise<void> {
    this.node.mailbox<Said>(DM_MAILBOX, (m) => {
      const t = text(m.payload?.text);
      if (t === undefined) return;
      // The sender's node id is authenticated; its user name comes from presence.
      const from = this.presence.userOf(m.from) ?? `${String(m.payload?.user)}?`;
      this.out(`[dm from ${from}] ${t}`);
    });
    await this.enter(this.room);
    await this.presence.start();
  }

  async stop(): Promise<void> {
    await this.presence.stop();
    this.sub?.unsubscribe();
    await this.node.unregister(`chat.who.${this.room}`).catch(() => {});
  }

  /** Runs one input line; resolves false once the user asked to quit. */
  async command(line: string): Promise<boolean> {
    line = line.trim();
    if (line === '') return true;
    if (!line.startsWith('/')) {
      await this.say(line);
      return true;
    }
    const [cmd = '', ...rest] = line.split(/\s+/);
    const arg = rest[0];
    switch (cmd) {
      case '/join':
        if (!arg || !NAME_RE.test(arg)) this.out('! usage: /join <room> (letters, digits, _ and -)');
        else if (arg === this.room) this.out(`! already in ${arg}`);
        else await this.join(arg);
        return true;
      case '/who':
        await this.who(arg ?? this.room);
        return true;
      case '/rooms':
        this.out(`rooms: ${[...this.presence.rooms()].map(([r, n]) => `${r} (${n})`).join(', ')}`);
        return true;
      case '/dm':
        if (!arg || rest.length < 2) this.out('! usage: /dm <user> <text>');
        else await this.dm(arg, line.slice(line.indexOf(arg, cmd.length) + arg.length).trim());
        return true;
      case '/quit':
        return false;
      case '/help':
        for (const l of HELP) this.out(l);
        return true;
      default:
        this.out(`! unknown command ${cmd} (try /help)`);
        return true;
    }
  }

  private async say(t: string): Promise<void> {
    const said: Said = { user: this.o.user, text: t.slice(0, MAX_TEXT) };
    // At-least-once: retried until every subscriber node acknowledged; receivers drop
    // duplicates, so each message shows exactly once. Our own copy is delivered locally.
    await this.node
      .publish(`chat.room.${this.room}`, said, { qos: 'at-least-once' })
      .catch((err: unknown) => this.out(`! not sent: ${failure(err)}`));
  }

  /** Subscribes to `room`'s topic and provides its `who`. */
  private async enter(room: string): Promise<void> {
    const sub = this.node.subscribe<Said>(
      `chat.room.${room}`,
      (e) => {
        const t = text(e.payload?.text);
        if (t !== undefined) this.out(`[${room}] ${String(e.payload.user)}: ${t}`);
      },
      { retained: false },
    );
    // Announced in the DHT: whoever publishes to the room from now on finds us.
    await sub.ready;
    this.sub = sub;
    this.room = room;
    await this.node.register<unknown, { room: string; users: string[]; by: string }>(
      `chat.who.${room}`,
      () => ({
        room,
        users: this.presence.usersIn(room),
        by: this.o.user,
      }),
    );
  }

  private async join(room: string): Promise<void> {
    const old = this.room;
    const oldSub = this.sub;
    await this.enter(room);
    oldSub?.unsubscribe();
    await this.node.unregister(`chat.who.${old}`).catch(() => {});
    await this.presence.announce();
    const others = this.presence.usersIn(room).filter((u) => u !== this.o.user);
    this.out(`* you joined ${room} (here: ${others.length ? others.join(', ') : 'nobody'})`);
  }

  private async who(room: string): Promise<void> {
    if (!NAME_RE.test(room)) return this.out('! usage: /who [room]');
    try {
      const r = await this.node.call<{ users: string[]; by: string }>(`chat.who.${room}`, null, {
        timeoutMs: 5000,
      });
      this.out(`who ${room}: ${r.users.join(', ')} (answered by ${r.by})`);
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NO_PROVIDER') this.out(`who ${room}: nobody`);
      else this.out(`! who ${room} failed: ${failure(err)}`);
    }
  }

  private async dm(user: string, t: string): Promise<void> {
    const peer = this.presence.find(user);
    if (!peer) return this.out(`! ${user} is not online`);
    try {
      // Resolves once the target node's mailbox accepted it.
      await this.node.send(peer.nodeId, DM_MAILBOX, { user: this.o.user, text: t } satisfies Said, {
        timeoutMs: 5000,
      });
      this.out(`[dm to ${user}] ${t}`);
    } catch (err) {
      this.out(`! dm to ${user} failed: ${failure(err)}`);
    }
  }

  /** Presence news, told from the point of view of our current room. */
  private presenceChanged(c: PresenceChange): void {
    if (c.to === this.room && c.from !== this.room) this.out(`* ${c.user} joined ${c.to}`);
    else if (c.from === this.room && c.to !== this.room)
      this.out(c.to ? `* ${c.user} left ${c.from}` : `* ${c.user} left (${c.reason})`);
  }
}
