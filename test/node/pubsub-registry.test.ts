// The subscriber lookup when some of a topic's registry keys cannot be read (GET_FAILED),
// and what a DHT change note does to the cached lists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhtError, type DhtRecord, dhtKey } from '../../src/dht/index.js';
import { PubSubRegistry } from '../../src/node/pubsub-registry.js';
import { encodeValue } from '../../src/protocol/index.js';
import { announceKey, lookupKeys, parsePattern } from '../../src/pubsub/index.js';
import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';

const silent = { debug() {}, info() {}, warn() {} };
const owner = (c: string) => c.repeat(64);

/** A NodeDht whose get answers from `records` by app key, or fails for keys in `down`. */
function fakeDht(records: Map<string, { owner: string; pattern: string }[]>, down: Set<string>) {
  return {
    get: async (key: string): Promise<DhtRecord[]> => {
      if (down.has(key)) throw new DhtError('GET_FAILED', 'none of the nodes asked answered');
      return (records.get(key) ?? []).map(
        (r) => ({ owner: r.owner, value: encodeValue([[r.pattern, 'wildcard']]) }) as unknown as DhtRecord,
      );
    },
    put: async () => ({ key: '', stored: 1 }),
    remove: async () => {},
    stats: () => ({}) as never,
    onChanged: () => () => {},
  };
}

describe('pub/sub registry lookups', () => {
  it('a key that cannot be read does not hide the subscribers found under the others', async () => {
    const topic = 'sensor.cpu';
    const [exactKey, ...rest] = lookupKeys(topic);
    const starKey = announceKey(parsePattern('sensor.*'));
    assert.ok(rest.includes(starKey));
    const records = new Map([
      [exactKey!, [{ owner: owner('a'), pattern: topic }]],
      [starKey, [{ owner: owner('b'), pattern: 'sensor.*' }]],
    ]);
    const down = new Set<string>();
    const clock = new VirtualClock();
    const dht = fakeDht(records, down);
    const reg = new PubSubRegistry(dht as never, {
      clock,
      random: new SeededRandom(1),
      logger: silent,
      cacheTtlMs: 1000,
    });
    assert.deepEqual([...(await reg.subscribers(topic))].sort(), [owner('a'), owner('b')]);
    // The exact key's holders stop answering and a new subscriber appears under the other.
    down.add(exactKey!);
    records.get(starKey)!.push({ owner: owner('c'), pattern: 'sensor.*' });
    await clock.advance(1000);
    reg.subscribers(topic); // expired: one refresh runs in the background
    await clock.advance(0);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      [...(await reg.subscribers(topic))].sort(),
      [owner('a'), owner('b'), owner('c')],
      'the new one is found; the unreadable key keeps its last entries',
    );
    // The unreadable key is tried again after a TTL, not at each refresh of another key.
    const asked: string[] = [];
    const get = dht.get;
    dht.get = (key: string) => {
      asked.push(key);
      return get(key);
    };
    for (let t = 10; t < 1000; t += 10) {
      await clock.advance(10);
      await reg.subscribers(topic);
    }
    assert.ok(!asked.includes(exactKey!), `not retried within the TTL: ${asked.length} reads`);
    await clock.advance(20);
    await reg.subscribers(topic);
    await clock.advance(0);
    assert.ok(asked.includes(exactKey!), 'retried after it');
  });

  it('a topic never read whose keys all fail is REGISTRY_UNREACHABLE, not "no subscribers"', async () => {
    const topic = 'x.y';
    const reg = new PubSubRegistry(fakeDht(new Map(), new Set(lookupKeys(topic))) as never, {
      clock: new VirtualClock(),
      random: new SeededRandom(1),
      logger: silent,
      cacheTtlMs: 1000,
    });
    await assert.rejects(Promise.resolve(reg.subscribers(topic)), { code: 'REGISTRY_UNREACHABLE' });
  });

  it('a change note re-reads a topic in use at once (its list serves meanwhile), once more if a read was out', async () => {
    const topic = 'room.lobby';
    const [exactKey] = lookupKeys(topic);
    const records = new Map([[exactKey!, [{ owner: owner('a'), pattern: topic }]]]);
    const base = fakeDht(records, new Set());
    let notify!: (hashed: string) => void;
    let reads = 0;
    let gate: Promise<void> | undefined;
    const dht = {
      ...base,
      // Answers with the records as they were when asked, after `gate` opens.
      get: async (key: string) => {
        if (key === exactKey) reads++;
        const answer = await base.get(key);
        await gate;
        return answer;
      },
      onChanged: (l: (hashed: string) => void) => {
        notify = l;
        return () => {};
      },
    };
    const clock = new VirtualClock();
    const reg = new PubSubRegistry(dht as never, {
      clock,
      random: new SeededRandom(1),
      logger: silent,
      cacheTtlMs: 1000,
    });
    const flush = () => new Promise((r) => setImmediate(r));
    const ids = (v: ReadonlySet<string> | Promise<ReadonlySet<string>>) => {
      assert.ok(!(v instanceof Promise), 'answered from the cache, without waiting');
      return [...v].sort();
    };
    assert.deepEqual([...(await reg.subscribers(topic))], [owner('a')]);
    assert.equal(reads, 1);

    // b subscribes; a storer says so. Well within the TTL, the topic is read again at once.
    records.get(exactKey!)!.push({ owner: owner('b'), pattern: topic });
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    notify(dhtKey(exactKey!));
    assert.equal(reads, 2);
    assert.deepEqual(ids(reg.subscribers(topic)), [owner('a')], 'the list in hand serves meanwhile');
    // c subscribes while that read is out (it answered without c): one more read follows.
    records.get(exactKey!)!.push({ owner: owner('c'), pattern: topic });
    notify(dhtKey(exactKey!));
    gate = undefined;
    open();
    await flush();
    await flush();
    assert.equal(reads, 3);
    assert.deepEqual(ids(reg.subscribers(topic)), [owner('a'), owner('b'), owner('c')]);

    // A topic nobody published to for a TTL is dropped instead: its next publish waits for a read.
    await clock.advance(1000);
    records.get(exactKey!)!.pop();
    notify(dhtKey(exactKey!));
    assert.equal(reads, 3, 'not read for nobody');
    const next = reg.subscribers(topic);
    assert.ok(next instanceof Promise);
    assert.deepEqual([...(await next)].sort(), [owner('a'), owner('b')]);
  });

  it('after the first read, a busy topic re-reads one key at a time, each at least once per TTL', async () => {
    const topic = 'plant.line1.temp';
    const keys = lookupKeys(topic);
    assert.ok(keys.length >= 3);
    const records = new Map<string, { owner: string; pattern: string }[]>();
    const base = fakeDht(records, new Set());
    const clock = new VirtualClock();
    const reads: { key: string; at: number }[] = [];
    const dht = {
      ...base,
      get: (key: string) => {
        reads.push({ key, at: clock.now() });
        return base.get(key);
      },
    };
    const ttl = 1000;
    const reg = new PubSubRegistry(dht as never, {
      clock,
      random: new SeededRandom(1),
      logger: silent,
      cacheTtlMs: ttl,
    });
    records.set(keys[0]!, [{ owner: owner('a'), pattern: topic }]);
    await reg.subscribers(topic);
    assert.equal(reads.length, keys.length, 'the first read asks every key');
    let found: number | undefined;
    // Publishes every 10 ms for 5 TTLs; b subscribes under the last key at 2,345 ms.
    for (let t = 10; t <= 5 * ttl; t += 10) {
      await clock.advance(10);
      if (t === 2350) records.set(keys.at(-1)!, [{ owner: owner('b'), pattern: topic }]);
      const ids = await reg.subscribers(topic);
      if (found === undefined && ids.has(owner('b'))) found = t;
    }
    const later = reads.filter((r) => r.at > 0);
    const instants = new Map<number, number>();
    for (const r of later) instants.set(r.at, (instants.get(r.at) ?? 0) + 1);
    assert.ok(
      [...instants.values()].every((n) => n === 1),
      `one key per refresh: ${JSON.stringify([...instants])}`,
    );
    // No more reads than before the spreading: each key once per TTL.
    assert.ok(later.length <= keys.length * 5 + 1, `${later.length} reads in 5 TTLs`);
    for (const k of keys) {
      const at = [0, ...later.filter((r) => r.key === k).map((r) => r.at)];
      for (let i = 1; i < at.length; i++)
        assert.ok(at[i]! - at[i - 1]! <= ttl + 10, `${k} re-read within a TTL`);
      assert.ok(at.at(-1)! >= 4 * ttl, `${k} still read`);
    }
    assert.ok(
      found !== undefined && found - 2350 <= ttl + 10,
      `a new subscriber seen within a TTL (at ${found})`,
    );
  });
});
