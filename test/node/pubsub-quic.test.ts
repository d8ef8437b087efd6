// Pub/sub and RPC over real QUIC between separate processes on loopback
// (fixtures/pubsub-worker.ts): one publisher, subscribers with exact, wildcard and prefix
// patterns, one subscriber killed with SIGKILL while messages are in flight and restarted
// with its identity, a retained value reaching a subscription opened after it was
// published, and an RPC call routed through the mesh. Every delivery is counted per
// (publisher, seq).
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compareDistance, idKey } from '../../src/routing/index.js';
import { loadOrCreateIdentity } from '../../src/security/index.js';
import type { Command, Got, Sent, WorkerConfig, WorkerState } from './fixtures/pubsub-worker.js';

const WORKER = new URL('./fixtures/pubsub-worker.ts', import.meta.url).pathname;
const REALM = 'org.example.quicps';

/** A worker process: `ask` sends one command and resolves with its answer. */
class Worker {
  readonly started: Promise<{ nodeId: string; port: number }>;
  readonly exited: Promise<unknown>;
  stderr = '';
  private readonly child: ChildProcess;
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(readonly cfg: WorkerConfig) {
    this.child = fork(WORKER, [JSON.stringify(cfg)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = once(this.child, 'exit');
    this.started = new Promise((resolve, reject) => {
      this.child.on('message', (m: { started?: { nodeId: string; port: number }; id?: number } & Reply) => {
        if (m.started) resolve(m.started);
        const w = m.id === undefined ? undefined : this.waiting.get(m.id);
        if (!w) return;
        this.waiting.delete(m.id!);
        if (m.ok) w.resolve(m.value);
        else w.reject(new Error(`${cfg.name}: ${m.error}`));
      });
      void this.exited.then(() => {
        const err = new Error(`${cfg.name} exited\n${this.stderr.slice(-3000)}`);
        reject(err);
        for (const w of this.waiting.values()) w.reject(err);
        this.waiting.clear();
      });
    });
    this.started.catch(() => {});
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  ask<T>(c: Command): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.cfg.name} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, ...c });
    });
  }

  state(): Promise<WorkerState> {
    return this.ask<WorkerState>({ cmd: 'state' });
  }

  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }
}

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

/** Polls `cond` (which may ask workers) until it holds. */
async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

const TOPICS = ['q.a.temp', 'q.b.temp', 'q.b.hum', 'q.c', 'other.a.temp'];

/** Subscriptions per worker, with the topics each must get (written out, not computed). */
const SUBS: Record<string, { label: string; pattern: string; match?: 'prefix'; topics: string[] }[]> = {
  exact: [{ label: 'exact', pattern: 'q.a.temp', topics: ['q.a.temp'] }],
  wild: [
    { label: 'star', pattern: 'q.*.temp', topics: ['q.a.temp', 'q.b.temp'] },
    { label: 'rootStar', pattern: '*.a.temp', topics: ['other.a.temp', 'q.a.temp'] },
  ],
  prefix: [{ label: 'prefix', pattern: 'q.b', match: 'prefix', topics: ['q.b.hum', 'q.b.temp'] }],
  victim: [{ label: 'globstar', pattern: 'q.**', topics: ['q.a.temp', 'q.b.hum', 'q.b.temp', 'q.c'] }],
};

interface Received {
  [label: string]: { readyAt?: number; got: Got[] };
}

/** Messages owed to a subscription: matching, published after its ready, sent to its node. */
function owed(sent: Sent[], nodeId: string, topics: string[], readyAt: number): Sent[] {
  return sent.filter((m) => topics.includes(m.topic) && m.at >= readyAt && m.subscribers.includes(nodeId));
}

describe('pub/sub and RPC over QUIC between processes', () => {
  it('exactly-once delivery across a SIGKILL and restart, patterns, retained values, RPC through the mesh', {
    timeout: 120_000,
  }, async (t: TestContext) => {
    const t0 = Date.now();
    const lap = (what: string) => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    const root = mkdtempSync(join(tmpdir(), 'macula-psq-'));
    const workers: Worker[] = [];
    t.after(async () => {
      await Promise.all(workers.map((w) => w.kill()));
      rmSync(root, { recursive: true, force: true });
    });
    const start = (name: string, o: Partial<WorkerConfig> = {}) => {
      const w = new Worker({
        name,
        realm: REALM,
        dir: join(root, name),
        port: 0,
        bootstrap: [],
        membership: true,
        dialOnDemand: true,
        ...o,
      });
      workers.push(w);
      return w;
    };

    // ---- five mesh processes: the publisher (also the seed) and four subscribers ----
    const pub = start('pub');
    const seed = `127.0.0.1:${(await pub.started).port}`;
    const names = ['exact', 'wild', 'prefix', 'victim'] as const;
    const subs: Record<string, Worker> = {};
    for (const n of names) subs[n] = start(n, { bootstrap: [seed] });
    const ids: Record<string, string> = { pub: (await pub.started).nodeId };
    for (const n of names) ids[n] = (await subs[n]!.started).nodeId;
    const mesh = [pub, ...names.map((n) => subs[n]!)];
    await until(
      async () => (await Promise.all(mesh.map((w) => w.state()))).every((s) => s.alive.length === 5),
      30_000,
      'five members see each other alive',
    );

    lap('five members formed');
    // Retained values before anyone subscribes: only a later exact subscription gets one.
    await pub.ask({ cmd: 'publish', topics: ['q.cfg'], count: 1, intervalMs: 0, retain: true, tag: 'v1' });
    await pub.ask({ cmd: 'publish', topics: ['q.cfg'], count: 1, intervalMs: 0, retain: true, tag: 'v2' });

    for (const n of names)
      for (const s of SUBS[n]!)
        await subs[n]!.ask({ cmd: 'subscribe', label: s.label, pattern: s.pattern, match: s.match });
    await subs.prefix!.ask({ cmd: 'register', name: 'q.echo' });

    // ---- RPC through the mesh: a caller outside it, linked to the publisher only ----
    // Its identity is drawn until the publisher is closer (XOR) to the provider than the
    // caller is, so greedy routing forwards through the publisher.
    const callerDir = join(root, 'caller');
    for (;;) {
      const id = await loadOrCreateIdentity({ dir: callerDir, realm: REALM });
      const target = idKey(ids.prefix!);
      if (compareDistance(idKey(ids.pub!), idKey(id.nodeId.hex), target) < 0) break;
      rmSync(callerDir, { recursive: true, force: true });
    }
    const caller = start('caller', { dir: callerDir, membership: false, dialOnDemand: false });
    await caller.started;
    const pubPort = (await pub.started).port;

    // ---- phase 1: 300 messages; the victim is killed while they flow ----
    const phase1 = pub.ask<Sent[]>({
      cmd: 'publish',
      topics: TOPICS,
      count: 300,
      intervalMs: 5,
      tag: 'p1',
    });
    await until(
      async () => (await subs.victim!.ask<Received>({ cmd: 'received' })).globstar!.got.length >= 20,
      20_000,
      'the victim receiving',
    );
    const victimPort = (await subs.victim!.started).port;
    const killedAt = Date.now();
    await subs.victim!.kill();
    const sent1 = await phase1;
    const after = sent1.filter((m) => m.at > killedAt).length;
    t.diagnostic(`phase 1: ${sent1.length - after} messages published before the kill, ${after} after`);
    assert.ok(after >= 100, 'killed while the messages flowed');

    // ---- the victim comes back with its identity and port, subscribing straight away ----
    const victim2 = start('victim', { bootstrap: [seed], port: victimPort });
    assert.equal((await victim2.started).nodeId, ids.victim, 'same identity');
    await victim2.ask({ cmd: 'subscribe', label: 'globstar', pattern: 'q.**' });
    // A subscription opened after the retained values were published, before the node has
    // a peer again: it gets the newest value first (checked below).
    await victim2.ask({ cmd: 'subscribe', label: 'cfg', pattern: 'q.cfg' });
    const phase2 = pub.ask<Sent[]>({
      cmd: 'publish',
      topics: TOPICS,
      count: 300,
      intervalMs: 5,
      tag: 'p2',
    });

    // Meanwhile, the RPC call: caller → publisher → provider.
    assert.equal(await caller.ask({ cmd: 'connect', host: '127.0.0.1', port: pubPort }), ids.pub);
    const forwardedBefore = (await pub.state()).forwarded;
    const answer = await caller.ask<{ by: string; caller: string; args: unknown }>({
      cmd: 'call',
      name: 'q.echo',
      args: { hello: 'mesh' },
      provider: ids.prefix,
      timeoutMs: 15_000,
    });
    const callerState = await caller.state();
    assert.deepEqual(answer, { by: ids.prefix, caller: callerState.nodeId, args: { hello: 'mesh' } });
    assert.deepEqual(callerState.connections, [ids.pub], 'the caller only ever linked to the publisher');
    assert.ok((await pub.state()).forwarded > forwardedBefore, 'the publisher forwarded the call');

    lap('RPC answered');
    const sent2 = await phase2;
    lap('phase 2 published');

    await until(async () => (await victim2.state()).alive.length === 5, 30_000, 'the victim rejoined');
    lap('the victim rejoined');

    // ---- counting: every owed message exactly once, per (publisher, seq) ----
    const sent = [...sent1, ...sent2];
    const live: Record<string, Worker> = { ...subs, victim: victim2 };
    const check = async (final: boolean) => {
      const problems: string[] = [];
      for (const n of names) {
        const got = await live[n]!.ask<Received>({ cmd: 'received' });
        for (const s of SUBS[n]!) {
          const r = got[s.label]!;
          const seen = new Map<number, number>();
          for (const e of r.got) if (e.publisher === ids.pub) seen.set(e.seq, (seen.get(e.seq) ?? 0) + 1);
          const due = owed(sent, ids[n]!, s.topics, r.readyAt!);
          const missing = due.filter((m) => !seen.has(m.seq));
          if (missing.length > 0)
            problems.push(`${n}/${s.label}: ${missing.length} of ${due.length} owed missing`);
          if (!final) continue;
          const twice = [...seen].filter(([, k]) => k > 1);
          if (twice.length > 0) problems.push(`${n}/${s.label}: ${twice.length} delivered more than once`);
          const topics = [...new Set(r.got.map((e) => e.topic))].sort();
          if (JSON.stringify(topics) !== JSON.stringify(s.topics))
            problems.push(`${n}/${s.label}: got topics ${topics.join(',')}`);
          t.diagnostic(`${n}/${s.label}: owed ${due.length}, received ${r.got.length}`);
          if (due.length < (n === 'victim' ? 20 : 100))
            problems.push(`${n}/${s.label}: only ${due.length} owed`);
        }
      }
      return problems;
    };
    await until(async () => (await check(false)).length === 0, 30_000, 'every owed message delivered').catch(
      () => {},
    );
    lap('every owed message delivered');
    await sleep(1_000); // a late duplicate would show now
    assert.deepEqual(await check(true), []);

    // The retained value reached the subscription opened after the restart.
    await until(
      async () => (await victim2.ask<Received>({ cmd: 'received' })).cfg!.got.length > 0,
      10_000,
      'the retained value',
    );
    const cfg = (await victim2.ask<Received>({ cmd: 'received' })).cfg!.got[0]!;
    assert.deepEqual(
      { payload: cfg.payload, retained: cfg.retained, publisher: cfg.publisher },
      { payload: { tag: 'v2', n: 0 }, retained: true, publisher: ids.pub },
    );

    // Never flooded: the publisher and the caller subscribe to nothing and got nothing, and
    // the subscribers got only what their patterns match.
    assert.equal((await pub.state()).received, 0);
    assert.equal((await caller.state()).received, 0);
    for (const n of ['exact', 'wild', 'prefix']) assert.equal((await subs[n]!.state()).unmatched, 0, n);
  });
});
