import {
  messageOverhead,
  type SwimMessage,
  type SyncState,
  type Update,
  updateSize,
} from '../membership/index.js';

/** A push-pull request or reply between simulated nodes. */
export type SyncMsg = { from: string; state: SyncState };

/**
 * The codec's exact packet sizes (envelope and signature plus each update), memoised:
 * an envelope's size depends only on its kind and how many bytes its seq takes (bar
 * ping-req's address), and alive updates are re-sent as the same objects.
 */
export function exactSizer(realm: string): (m: SwimMessage) => number {
  const envelopes = new Map<string, number>();
  const alive = new WeakMap<Update, number>();
  return (m) => {
    let n: number;
    if (m.t === 'ping-req') n = messageOverhead(realm, m);
    else {
      const seq = m.t === 'gossip' ? 0 : m.seq;
      const key = `${m.t}${seq < 0x80 ? 0 : seq < 0x100 ? 1 : seq < 0x1_0000 ? 2 : 3}`;
      n = envelopes.get(key) ?? -1;
      if (n < 0) {
        n = messageOverhead(realm, m);
        envelopes.set(key, n);
      }
    }
    for (const u of m.updates) {
      if (u.t !== 'alive') n += updateSize(u);
      else {
        let s = alive.get(u);
        if (s === undefined) {
          s = updateSize(u);
          alive.set(u, s);
        }
        n += s;
      }
    }
    return n;
  };
}

/** A push-pull state's size: a sync entry encodes like an alive update (plus a few header bytes). */
export function syncSize(m: SyncMsg): number {
  let n = 8;
  for (const e of m.state.entries)
    n += updateSize({ t: 'alive', id: e.id, inc: e.inc, addr: e.addr, key: e.key });
  return n;
}
