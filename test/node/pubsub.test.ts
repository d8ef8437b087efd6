// Pub/sub across full nodes on the in-memory network: pattern routing through the DHT
// registry (no flooding), at-least-once with acknowledgements, retained values, routed
// delivery over multi-hop paths, bad input and slow consumers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidTopicError } from '../../src/core/index.js';
import type { MaculaNode, Subscription } from '../../src/node/index.js';
import { PubSubError, type PubSubEvent } from '../../src/pubsub/index.js';
import { chainToLast, count, testnet } from '../helpers/testnet.js';
import { waitFor, within } from '../helpers/wait.js';

const psCode = (c: string) => (e: unknown) => e instanceof PubSubError && e.code === c;

/** Collects a subscription's events; `until(n)` resolves once n arrived. */
function collect<T>(sub: Subscription<T>) {
  const got: PubSubEvent<T>[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  void (async () => {
    for await (const e of sub) {
      got.push(e);
      for (const w of waiters) if (got.length >= w.n) w.resolve();
    }
  })();
  return {
    got,
    until: (n: number, what = `${n} events`) =>
      within(
        new Promise<void>((resolve) => {
          if (got.length >= n) resolve();
          else waiters.push({ n, resolve });
        }),
        10_000,
        what,
      ),
  };
}

async function formed(t: Parameters<typeof testnet>[0], n: number) {
  const tn = await testnet(t, n);
  await tn.until(() => tn.nodes.every((x) => count(x, 'alive') === n), 10_000, 'formed');
  return tn;
}

describe('pub/sub on full nodes', () => {
  it('delivers by exact, wildcard and prefix patterns only to subscribed nodes, in order', async (t) => {
    const tn = await formed(t, 5);
    const [pub, a, b, c, idle] = tn.nodes as [MaculaNode, MaculaNode, MaculaNode, MaculaNode, MaculaNode];
    const subs = [
      a.subscribe('sensor.room1.temp'),
      b.subscribe('sensor.*.temp'),
      c.subscribe('sensor', undefined, { match: 'prefix' }),
      c.subscribe('sensor.room2.**'),
    ];
    const [exact, star, prefix, globstar] = subs.map((s) => collect(s)) as [
      ReturnType<typeof collect>,
      ReturnType<typeof collect>,
      ReturnType<typeof collect>,
      ReturnType<typeof collect>,
    ];
    await Promise.all(subs.map((s) => s.ready));
    const topics = [
      'sensor.room1.temp',
      'sensor.room2.temp',
      'sensor.room2.humidity',
      'sensor',
      'other.room1.temp',
    ];
    for (let i = 0; i < 20; i++) for (const topic of topics) await pub.publish(topic, { i, topic });
    await exact.until(20);
    await star.until(40);
    await prefix.until(80);
    await globstar.until(40);
    const seen = (x: { got: PubSubEvent[] }) =>
      x.got.map((e) => `${e.topic}#${(e.payload as { i: number }).i}`);
    const expect = (ts: string[]) =>
      Array.from({ length: 20 }, (_, i) => ts.map((tp) => `${tp}#${i}`)).flat();
    assert.deepEqual(seen(exact), expect(['sensor.room1.temp']));
    assert.deepEqual(seen(star), expect(['sensor.room1.temp', 'sensor.room2.temp']));
    assert.deepEqual(
      seen(prefix),
      expect(['sensor.room1.temp', 'sensor.room2.temp', 'sensor.room2.humidity', 'sensor']),
    );
    assert.deepEqual(seen(globstar), expect(['sensor.room2.temp', 'sensor.room2.humidity']));
    const e = exact.got[0]!;
    assert.equal(e.publisher, pub.nodeId);
    assert.ok(Number.isSafeInteger(e.seq) && e.timestamp > 0);
    assert.ok(
      exact.got.every((x, i) => i === 0 || x.seq > exact.got[i - 1]!.seq),
      'ordered by seq',
    );
    // Never flooded: the node without subscriptions received nothing.
    assert.equal(idle.pubsubStats().received, 0);
    assert.equal(pub.pubsubStats().published, 100);
  });

  it('at-least-once with ack resolves once every subscriber acknowledged, and names those that did not', async (t) => {
    const tn = await formed(t, 4);
    const [pub, a, b, c] = tn.nodes as [MaculaNode, MaculaNode, MaculaNode, MaculaNode];
    const raw = [a, b, c].map((n) => n.subscribe('orders.created'));
    const subs = raw.map((s) => collect(s));
    await Promise.all(raw.map((s) => s.ready));
    const r = await pub.publish('orders.created', { id: 1 }, { ack: true });
    assert.deepEqual(new Set(r.subscribers), new Set([a.nodeId, b.nodeId, c.nodeId]));
    for (const s of subs) await s.until(1);
    // c dies: the next acknowledged publish names it.
    tn.crash(3);
    await assert.rejects(
      pub.publish('orders.created', { id: 2 }, { ack: true, timeoutMs: 1_500 }),
      (e: unknown) => {
        assert.ok(psCode('NOT_ACKED')(e));
        assert.deepEqual((e as PubSubError).missing, [c.nodeId]);
        return true;
      },
    );
    await subs[0]!.until(2);
    await subs[1]!.until(2);
    assert.deepEqual(
      subs[0]!.got.map((x) => x.payload),
      [{ id: 1 }, { id: 2 }],
    );
    assert.ok(pub.pubsubStats().outbox.acked >= 5);
  });

  it('keeps retained values for late subscribers', async (t) => {
    const tn = await formed(t, 4);
    const [pub, , late, other] = tn.nodes as [MaculaNode, MaculaNode, MaculaNode, MaculaNode];
    await pub.publish('config.level', 'old', { retain: true });
    await pub.publish('config.level', 'new', { retain: true });
    const sub = late.subscribe('config.level');
    const events = collect(sub);
    await sub.ready;
    await events.until(1);
    assert.equal(events.got[0]!.payload, 'new');
    assert.equal(events.got[0]!.retained, true);
    assert.equal(events.got[0]!.publisher, pub.nodeId);
    // Live messages follow.
    // Live messages follow (from a publisher with no cached view of the topic; see the
    // next test for how soon a publisher that looked the topic up sees a new subscriber).
    await other.publish('config.level', 'live');
    await events.until(2);
    assert.equal(events.got[1]!.payload, 'live');
    assert.equal(events.got[1]!.retained, undefined);
    // Opting out.
    const none = late.subscribe('config.level', undefined, { retained: false });
    const noEvents = collect(none);
    await none.ready;
    await other.publish('config.level', 'after');
    await noEvents.until(1);
    assert.deepEqual(
      noEvents.got.map((x) => x.payload),
      ['after'],
    );
  });

  it('a publisher that already looked a topic up hears of a new subscriber from the DHT, long before its cache expires', async (t) => {
    const tn = await testnet(t, 3, { pubsub: { subscriberCacheMs: 30_000 } });
    await tn.until(() => tn.nodes.every((x) => count(x, 'alive') === 3), 10_000, 'formed');
    const [pub, a, b] = tn.nodes as [MaculaNode, MaculaNode, MaculaNode];
    const first = a.subscribe('news.flash');
    await first.ready;
    assert.deepEqual((await pub.publish('news.flash', 0, { ack: true })).subscribers, [a.nodeId]);
    const second = b.subscribe('news.flash');
    const got = collect(second);
    await second.ready;
    // The nodes that served pub's read tell it the key changed (DHT_CHANGED), so pub
    // reads again; without that it would keep its list for 30 s.
    const since = performance.now();
    let r = await pub.publish('news.flash', 1, { ack: true });
    while (!r.subscribers.includes(b.nodeId)) r = await pub.publish('news.flash', 2, { ack: true });
    const waited = performance.now() - since;
    assert.ok(waited < 5_000, `seen after ${Math.round(waited)} ms`);
    await got.until(1);
    assert.deepEqual(new Set(r.subscribers), new Set([a.nodeId, b.nodeId]));
  });

  it('reaches subscribers several hops away through nodes with no direct connection', async (t) => {
    const tn = await testnet(t, 5, { membership: false, routing: { dialOnDemand: false } });
    const chain = await chainToLast(tn);
    const dest = chain[4]!;
    const sub = dest.subscribe<number>('far.away');
    const events = collect(sub);
    await sub.ready;
    const pub = chain[0]!;
    await pub.publish('far.away', 0, { qos: 'at-least-once' }); // warms the subscriber cache
    await events.until(1);
    // The DHT lookups may have dialed the subscriber: drop that link so delivery is routed.
    if (pub.connections().some((p) => p.nodeId === dest.nodeId)) await pub.disconnect(dest.nodeId);
    const before = pub.routes().routed.sent;
    for (let i = 1; i <= 20; i++) await pub.publish('far.away', i, { qos: 'at-least-once' });
    await events.until(21);
    assert.deepEqual(
      new Set(events.got.map((e) => e.payload)),
      new Set(Array.from({ length: 21 }, (_, i) => i)),
    );
    assert.equal(events.got.length, 21, 'exactly once');
    assert.ok(pub.routes().routed.sent - before >= 20, 'sent as routed messages');
    await waitFor(() => pub.pubsubStats().outbox.pending === 0, {
      timeoutMs: 10_000,
      what: 'all acknowledged',
    });
    // A retry happens when an acknowledgement was lost with the dropped link; the copy is
    // acknowledged again and not delivered twice.
    const ps = pub.pubsubStats().outbox;
    assert.equal(ps.acked, 21);
    assert.equal(dest.pubsubStats().duplicates, ps.retries);
  });

  it('a subscription ended before it was announced leaves nothing in the registry', async (t) => {
    const tn = await formed(t, 2);
    const [pub, sub] = tn.nodes as [MaculaNode, MaculaNode];
    const early = sub.subscribe('gone.topic');
    early.unsubscribe();
    const ctl = new AbortController();
    ctl.abort();
    const aborted = sub.subscribe('gone.topic', undefined, { signal: ctl.signal });
    await Promise.all([early.ready, aborted.ready]);
    const live = sub.subscribe('live.topic');
    await live.ready;
    assert.equal(sub.dht.stats().puts, 1, 'only the live subscription was announced');
    assert.deepEqual((await pub.publish('gone.topic', 1, { ack: true })).subscribers, []);
    assert.deepEqual((await pub.publish('live.topic', 1, { ack: true })).subscribers, [sub.nodeId]);
  });

  it('handler mode, unsubscribe, abort, bad input and slow consumers', async (t) => {
    const tn = await formed(t, 2);
    const [pub, sub] = tn.nodes as [MaculaNode, MaculaNode];
    const seen: unknown[] = [];
    let release!: () => void;
    const three = new Promise<void>((r) => {
      release = r;
    });
    const s1 = sub.subscribe('h.topic', (e) => {
      seen.push(e.payload);
      if (seen.length === 3) release();
      if (e.payload === 2) throw new Error('handler bug'); // counted; the next event still arrives
    });
    await s1.ready;
    assert.throws(() => s1[Symbol.asyncIterator](), psCode('NOT_ITERABLE'));
    for (const i of [1, 2, 3]) await pub.publish('h.topic', i);
    await within(three, 10_000, 'three events');
    assert.deepEqual(seen, [1, 2, 3]);
    assert.equal(s1.stats().handlerErrors, 1);
    s1.unsubscribe();
    assert.equal(s1.closed, true);
    // Abort ends a subscription.
    const ctl = new AbortController();
    const s2 = sub.subscribe('a.topic', undefined, { signal: ctl.signal });
    ctl.abort();
    assert.equal(s2.closed, true);
    // Bad input: typed errors, nothing sent.
    await assert.rejects(pub.publish('bad topic', 1), (e: unknown) => e instanceof InvalidTopicError);
    await assert.rejects(pub.publish('x.y', { s: Symbol('no') }), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(pub.publish('x.y', new Uint8Array(2 * 1024 * 1024)), psCode('PAYLOAD_TOO_LARGE'));
    await assert.rejects(
      pub.publish('x.y', new Uint8Array(5000), { retain: true }),
      psCode('PAYLOAD_TOO_LARGE'),
    );
    await assert.rejects(pub.publish('x.y', 1, { qos: 'exactly-once' as never }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => sub.subscribe('a.**.b'), { name: 'PatternError' });
    // A subscriber that never reads: bounded, oldest dropped and counted.
    const slow = sub.subscribe('flood.x', undefined, { capacity: 10 });
    await slow.ready;
    for (let i = 0; i < 50; i++) await pub.publish('flood.x', i, { qos: 'at-least-once' });
    await waitFor(() => sub.pubsubStats().received >= 50, { timeoutMs: 10_000, what: '50 received' });
    await waitFor(() => slow.stats().pending === 10 && slow.stats().dropped === 40, {
      timeoutMs: 10_000,
      what: 'overflow',
    });
    assert.equal(sub.pubsubStats().overflowed, 40);
    const rest: unknown[] = [];
    for await (const e of slow) {
      rest.push(e.payload);
      if (rest.length === 10) break;
    }
    assert.deepEqual(rest, [40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
  });
});
