/**
 * Updates and sync entries as compact arrays:
 * alive `[0, id, inc, [host, port], key, name?]`, suspect `[1, id, inc, from]`,
 * dead `[2, id, inc, from]`, left `[3, id, inc]`;
 * sync entry `[id, inc, state, [host, port], key, name?]`.
 */
import { malformed } from './codec-error.js';
import {
  readAddr,
  readId,
  readKey,
  readKind,
  readName,
  readTuple,
  readU32,
  STATE_KINDS,
  toAddr,
  toId,
  toKey,
  toKind,
  toName,
  toU32,
  UPDATE_KINDS,
} from './codec-wire.js';
import type { AliveUpdate, SyncEntry, Update } from './types.js';

/** Wire array of one update; throws MALFORMED on values a receiver would refuse. */
export function updateToWire(u: Update): unknown[] {
  if (typeof u !== 'object' || u === null) throw malformed('update: not an object');
  const head: unknown[] = [
    toKind(u.t, UPDATE_KINDS, 'update'),
    toId(u.id, 'update id'),
    toU32(u.inc, 'update inc'),
  ];
  switch (u.t) {
    case 'alive': {
      head.push(toAddr(u.addr, 'alive addr'), toKey(u.key, 'alive key'));
      if (u.name !== undefined) head.push(toName(u.name, 'alive'));
      return head;
    }
    case 'suspect':
    case 'dead':
      head.push(toId(u.from, `${u.t} from`));
      return head;
    case 'left':
      return head;
  }
}

/** One decoded update; keys inside alive updates are not checked against ids here. */
export function readUpdate(v: unknown): Update {
  const a = readTuple(v, 3, 6, 'update');
  const t = readKind(a[0], UPDATE_KINDS, 'update');
  const id = readId(a[1], 'update id');
  const inc = readU32(a[2], 'update inc');
  switch (t) {
    case 'alive': {
      readTuple(a, 5, 6, 'alive update');
      const u: AliveUpdate = {
        t,
        id,
        inc,
        addr: readAddr(a[3], 'alive addr'),
        key: readKey(a[4], 'alive key'),
      };
      if (a.length === 6) u.name = readName(a[5], 'alive');
      return u;
    }
    case 'suspect':
    case 'dead':
      readTuple(a, 4, 4, `${t} update`);
      return { t, id, inc, from: readId(a[3], `${t} from`) };
    case 'left':
      readTuple(a, 3, 3, 'left update');
      return { t, id, inc };
  }
}

/** Wire array of one push-pull entry. */
export function entryToWire(e: SyncEntry): unknown[] {
  if (typeof e !== 'object' || e === null) throw malformed('sync entry: not an object');
  const w: unknown[] = [
    toId(e.id, 'entry id'),
    toU32(e.inc, 'entry inc'),
    toKind(e.state, STATE_KINDS, 'state'),
    toAddr(e.addr, 'entry addr'),
    toKey(e.key, 'entry key'),
  ];
  if (e.name !== undefined) w.push(toName(e.name, 'entry'));
  return w;
}

/** One decoded push-pull entry; its key is not checked against its id here. */
export function readEntry(v: unknown): SyncEntry {
  const a = readTuple(v, 5, 6, 'sync entry');
  const e: SyncEntry = {
    id: readId(a[0], 'entry id'),
    inc: readU32(a[1], 'entry inc'),
    state: readKind(a[2], STATE_KINDS, 'state'),
    addr: readAddr(a[3], 'entry addr'),
    key: readKey(a[4], 'entry key'),
  };
  if (a.length === 6) e.name = readName(a[5], 'entry');
  return e;
}
