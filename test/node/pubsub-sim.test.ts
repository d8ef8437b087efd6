// Pub/sub guarantees at scale: 200 full nodes (membership, topology, DHT, pub/sub) on the
// in-memory network, on virtual time (fixtures/pubsub-sim-scenario.ts). Three publishers
// publish at-least-once messages continuously to subscribers with exact, wildcard and
// prefix patterns while relay nodes and subscriber nodes are killed and restarted (same
// or new identity), with 5 % packet loss. Every delivery is counted per (publisher, seq).
//
// The scenario runs in a child process: node:test tracks every promise of its own
// process with async hooks, which makes a 200-node run about half again as slow.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import {
  PATTERNS,
  type PubSubSimConfig,
  type PubSubSimResult,
  SUBSCRIBERS,
} from './fixtures/pubsub-sim-scenario.js';

const SCENARIO = new URL('./fixtures/pubsub-sim-scenario.ts', import.meta.url).pathname;

function runScenario(cfg: Partial<PubSubSimConfig>): { result: Promise<PubSubSimResult>; kill(): void } {
  const child = fork(SCENARIO, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const result = new Promise<PubSubSimResult>((resolve, reject) => {
    child.once('message', (m) => resolve(m as PubSubSimResult));
    child.once('exit', (code, signal) =>
      reject(new Error(`the scenario exited (${code ?? signal}) without a result:\n${stderr.slice(-4000)}`)),
    );
  });
  child.send(cfg);
  return { result, kill: () => child.kill('SIGKILL') };
}

describe('pub/sub at scale: 200 nodes, kills, restarts, 5 % loss (virtual time)', () => {
  let r: PubSubSimResult;

  before(
    async () => {
      const run = runScenario({ seed: 7, nodes: 200, loss: 0.05 });
      after(run.kill);
      r = await run.result;
    },
    { timeout: 300_000 },
  );

  it('every surviving subscription got every message owed to it exactly once', (t) => {
    t.diagnostic(
      `${r.config.nodes} nodes formed in ${(r.formedWallMs / 1000).toFixed(1)} s; whole run ${(r.wallMs / 1000).toFixed(1)} s wall, ${(r.cpuMs / 1000).toFixed(1)} s CPU, ${(r.virtualMs / 1000).toFixed(1)} s virtual`,
    );
    t.diagnostic(
      `published ${r.published}; owed ${r.owed}, received ${r.received}; all owed in ${r.drainMs} virtual ms after publishing stopped; ${r.suppressedDuplicates} copies suppressed by dedup`,
    );
    t.diagnostic(`outboxes ${JSON.stringify(r.outbox)}`);
    t.diagnostic(
      `network: ${r.network.packetsDropped} of ${r.network.packetsSent} packets lost; ${r.liveNodes} live nodes see ${r.aliveViews[0]}–${r.aliveViews[1]} alive`,
    );
    assert.deepEqual(r.publishFailures, [], 'no publish failed');
    // 8 subscriber nodes, 10 subscriptions alive at the end (the killed incarnations' two are gone).
    assert.deepEqual(
      r.subscriptions.map((s) => `${s.slot}/${s.label}#${s.incarnation}`).sort(),
      Object.entries(SUBSCRIBERS)
        .flatMap(([slot, labels]) => labels.map((l) => `${slot}/${l}#${Number(slot) >= 26 ? 2 : 1}`))
        .sort(),
    );
    for (const s of r.subscriptions) assert.ok(s.owed > 0, `${s.slot}/${s.label} was owed messages`);
    assert.ok(r.published >= 300, `published ${r.published}`);
    assert.equal(r.missingCount, 0, `owed messages never delivered:\n${r.missing.join('\n')}`);
    assert.equal(r.duplicateCount, 0, `messages delivered twice:\n${r.duplicates.join('\n')}`);
    // Publishers found every subscription soon after its `ready` (restarted nodes included).
    assert.equal(r.unlistedCount, 0, `ready subscriptions a publisher missed:\n${r.unlisted.join('\n')}`);
    for (const s of r.subscriptions)
      t.diagnostic(
        `${s.slot}/${s.label}#${s.incarnation}: owed ${s.owed}, received ${s.received}, listed ${s.discoveredAfterMs} ms after ready`,
      );
  });

  it('delivers by pattern: each subscription got exactly the topics its pattern matches', () => {
    assert.deepEqual(r.wrongTopics, []);
    assert.deepEqual(r.unmatched, [], 'no subscriber node got a message none of its patterns match');
    for (const s of r.subscriptions)
      assert.deepEqual(s.topics, [...PATTERNS[s.label]!.topics].sort(), `${s.slot}/${s.label}`);
  });

  it('never floods: nodes without subscriptions received no pub/sub message', () => {
    assert.ok(r.nodesWithoutSubscriptions >= 180, `${r.nodesWithoutSubscriptions} quiet nodes`);
    assert.deepEqual(r.flooded, []);
  });

  it('a retained value reaches a subscription opened later on a node that was up', () => {
    const late = r.late.find((l) => l.who.startsWith('node 30'));
    assert.deepEqual(late?.first, { payload: 'v2', retained: true });
  });

  // Opened before the node had a peer: the retained value is read once it has one.
  it('a retained value reaches a subscription opened right after a restarted node started', () => {
    const late = r.late.find((l) => l.who.startsWith('node 26'));
    assert.deepEqual(late?.first, { payload: 'v2', retained: true });
  });
});
