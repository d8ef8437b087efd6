// The subscriber lookup when some of a topic's registry keys cannot be read (GET_FAILED).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DhtError, type DhtRecord } from '../../src/dht/index.js';
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
    const reg = new PubSubRegistry(fakeDht(records, down) as never, {
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
});
