// One Swim instance on a SimClock with a scripted network, for unit tests of its rules.
import {
  type AliveUpdate,
  type MemberState,
  type MembershipNet,
  Swim,
  type SwimMessage,
  type SwimTunables,
  type Update,
} from '../../src/membership/index.js';
import { SeededRandom } from '../../src/runtime/index.js';
import { SimClock } from '../../src/sim/index.js';
import type { Address } from '../../src/transport/index.js';

const KEY = new Uint8Array(32);

/** A 64-hex-digit node id. */
export function id(i: number): string {
  return i.toString(16).padStart(64, '0');
}

/** ids[0] is the member under test; ids[1..9] are the others it starts with. */
export const ids = Array.from({ length: 10 }, (_, i) => id(i + 1));

export interface TestMember {
  swim: Swim;
  clock: SimClock;
  /** Every datagram sent, in order. */
  sent: Array<{ to: Address; msg: SwimMessage }>;
  /** Delivers one gossip message carrying `u` from ids[9]. */
  gossip(u: Update): void;
  state(who: string): MemberState | undefined;
  alive(who: string, inc: number): AliveUpdate;
  addr(who: string): Address;
}

/**
 * ids[0] knowing ids[1..9] as alive. Every ping is acked 1 ms later with no rumours, so
 * its own probes succeed and only scripted rumours change its view; no periodic
 * push-pull, and a push-pull fails unless the test passes `sync`.
 */
export function member(
  o: { sync?: MembershipNet['sync']; tunables?: Partial<SwimTunables> } = {},
): TestMember {
  const clock = new SimClock();
  const sent: TestMember['sent'] = [];
  const addrs = new Map<string, Address>();
  const idAt = new Map<string, string>();
  const addr = (who: string): Address => {
    let a = addrs.get(who);
    if (!a) {
      a = { host: `h${who.slice(-6)}`, port: 1 };
      addrs.set(who, a);
      idAt.set(a.host, who);
    }
    return a;
  };
  const swim: Swim = new Swim({
    self: { id: ids[0]!, address: addr(ids[0]!), key: KEY },
    clock,
    random: new SeededRandom(1),
    tunables: { pushPullIntervalMs: 0, reconnectIntervalMs: 0, ...o.tunables },
    net: {
      send(to, msg) {
        sent.push({ to, msg });
        if (msg.t !== 'ping') return;
        const from = { id: idAt.get(to.host) ?? '', address: to };
        clock.call(1, () => swim.receive({ t: 'ack', seq: msg.seq, updates: [] }, from), undefined);
      },
      sync: o.sync ?? (() => Promise.reject(new Error('no push-pull in this test'))),
    },
  });
  swim.preload(ids.map((who) => ({ id: who, inc: 0, state: 'alive' as const, addr: addr(who), key: KEY })));
  swim.start();
  return {
    swim,
    clock,
    sent,
    gossip: (u) => swim.receive({ t: 'gossip', updates: [u] }, { id: ids[9]!, address: addr(ids[9]!) }),
    state: (who) => swim.stateOf(who),
    alive: (who, inc) => ({ t: 'alive', id: who, inc, addr: addr(who), key: KEY }),
    addr,
  };
}
