// virtualTestnet: N full nodes (membership, topology, DHT, pub/sub) on one in-memory
// network driven by a VirtualClock and a SeededRandom, for large scenarios that must run
// faster than real time and never see timer lag (a slow CI box only takes longer).
import { createNode, type MaculaNode, type NodeOptions } from '../../src/node/index.js';
import { type Clock, type Random, SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import { importKeyPair, type NodeIdentity, selfSignedIdentity } from '../../src/security/index.js';
import { type Endpoint, type LinkConditions, MemoryNetwork } from '../../src/transport/index.js';

export const VREALM = 'org.example.sim';

/** One address of the network: the node living there now (undefined while crashed). */
export interface Slot {
  readonly index: number;
  readonly host: string;
  node: MaculaNode | undefined;
  identity: NodeIdentity;
  endpoint: Endpoint | undefined;
  /** Incarnations started on this slot (1 after the first start). */
  starts: number;
}

export interface VirtualTestnetOptions {
  seed?: number;
  /** Link conditions while the mesh forms (default 2 ms latency, 1 ms jitter, no loss). */
  link?: LinkConditions;
  /** Options of every node (name, transport, listen, bootstrap, clock and random are set here). */
  node?: Partial<NodeOptions>;
}

export interface VirtualTestnet {
  readonly clock: VirtualClock;
  readonly random: Random;
  readonly net: MemoryNetwork;
  readonly slots: Slot[];
  /** A new identity drawn from the seed (the same sequence on every run). */
  identity(): Promise<NodeIdentity>;
  /** Starts a node on `slot` (new identity unless `identity` is given); bootstraps through the first slots. */
  start(slot: number, identity?: NodeIdentity, extra?: Partial<NodeOptions>): Promise<MaculaNode>;
  /** Kills the node on `slot` like SIGKILL: its endpoint vanishes, peers notice by timeout. */
  crash(slot: number): void;
  /** Live nodes. */
  live(): MaculaNode[];
  /** Moves virtual time forward by `ms` in steps, letting real async work (I/O, timers) run. */
  run(ms: number): Promise<void>;
  /** Runs until `pred` holds (checked every step); throws after `maxMs` of virtual time. */
  runUntil(pred: () => boolean, maxMs: number, what: string): Promise<void>;
  /** Runs until `p` settles; throws after `maxMs` of virtual time. */
  drive<T>(p: Promise<T>, maxMs: number, what: string): Promise<T>;
  /** A promise resolved after `ms` of virtual time. */
  sleep(ms: number): Promise<void>;
}

const STEP_MS = 10;
const SEEDS = 4;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The virtual clock as the nodes and the network see it: every delay rounded up to a
 * whole millisecond, so virtual time only takes integer values. With fractional instants
 * (link jitter, backoff jitter) the memory transport's idle-timeout timer can re-arm
 * itself with a zero delay forever at one instant: `Liveness.fire` tests
 * `now - lastRecv >= idleMs` but `nextWake` aims at `lastRecv + idleMs`, and the two
 * disagree in floating point (e.g. lastRecv = 15138.394186397201, idleMs = 10 000).
 * Integer instants are exact, so the two agree.
 */
function wholeMs(clock: VirtualClock): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, Math.ceil(ms)),
    clearTimeout: (h) => clock.clearTimeout(h),
  };
}

/** Where the net registers its clean-up (a TestContext will do). */
export interface Cleanup {
  after(fn: () => Promise<void> | void): void;
}

/**
 * Builds an empty virtual network; call `start` per slot (see {@link formVirtualTestnet}).
 * Every node is stopped after the test (its timers are virtual: nothing keeps the process alive).
 */
export function virtualTestnet(t: Cleanup, o: VirtualTestnetOptions = {}): VirtualTestnet {
  const clock = new VirtualClock();
  const time = wholeMs(clock);
  const random = new SeededRandom(o.seed ?? 1);
  const net = new MemoryNetwork({ clock: time, random, latencyMs: 2, jitterMs: 1, ...o.link });
  const slots: Slot[] = [];
  const keys = new SeededRandom((o.seed ?? 1) + 0x5eed);
  t.after(async () => {
    const stopping = slots.map((s) => s.node?.stop());
    // Stopping flushes channels and says goodbye on virtual time: keep the clock moving.
    let done = false;
    void Promise.allSettled(stopping).then(() => {
      done = true;
    });
    for (let i = 0; i < 1000 && !done; i++) {
      await clock.advance(STEP_MS);
      await yieldToLoop();
    }
  });

  const run = async (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      await clock.advance(Math.min(STEP_MS, end - clock.now()));
      await yieldToLoop();
    }
  };

  const tn: VirtualTestnet = {
    clock,
    random,
    net,
    slots,
    identity: () => seededIdentity(keys),
    async start(index, identity, extra = {}) {
      const prev = slots[index];
      if (prev?.node) throw new Error(`slot ${index} is running`);
      const id = identity ?? (await tn.identity());
      const host = `10.1.${index >> 8}.${index & 255}`;
      const slot: Slot = prev ?? {
        index,
        host,
        node: undefined,
        identity: id,
        endpoint: undefined,
        starts: 0,
      };
      slot.identity = id;
      slots[index] = slot;
      const transport = net.transport((ep) => {
        slot.endpoint = ep;
      });
      const seeds = Array.from({ length: Math.min(SEEDS, slots.length) }, (_, j) => j)
        .filter((j) => j !== index && slots[j])
        .map((j) => `${slots[j]!.host}:4433`);
      const node = createNode({
        identity: id,
        name: `v${index}.${slot.starts}`,
        transport,
        clock: time,
        random,
        listen: { host, port: 4433 },
        bootstrap: seeds,
        ...o.node,
        ...extra,
      });
      await node.start();
      slot.node = node;
      slot.starts++;
      return node;
    },
    crash(index) {
      const slot = slots[index];
      if (!slot?.node || !slot.endpoint) throw new Error(`slot ${index} is not running`);
      net.crash(slot.endpoint);
      const node = slot.node;
      slot.node = undefined;
      slot.endpoint = undefined;
      // The process is gone: stop its timers without a word on the network (its endpoint
      // is already dead, so nothing it says arrives).
      void node.stop();
    },
    live: () => slots.flatMap((s) => (s.node ? [s.node] : [])),
    run,
    async runUntil(pred, maxMs, what) {
      const end = clock.now() + maxMs;
      while (!pred()) {
        if (clock.now() >= end)
          throw new Error(`virtualTestnet: ${what} not reached within ${maxMs} virtual ms`);
        await run(STEP_MS);
      }
    },
    async drive(p, maxMs, what) {
      let settled = false;
      const watched = p.finally(() => {
        settled = true;
      });
      watched.catch(() => {});
      await tn.runUntil(() => settled, maxMs, what);
      return p;
    },
    sleep: (ms) => new Promise((resolve) => time.setTimeout(resolve, ms)),
  };
  return tn;
}

/**
 * Starts `n` nodes, ten at a time with 50 virtual ms between batches (each joining through
 * the first slots), then runs until every node sees `n` alive members.
 */
export async function formVirtualTestnet(
  t: Cleanup,
  n: number,
  o: VirtualTestnetOptions & { identities?: NodeIdentity[]; maxMs?: number } = {},
): Promise<VirtualTestnet> {
  const tn = virtualTestnet(t, o);
  for (let i = 0; i < n; i++) {
    await tn.start(i, o.identities?.[i]);
    if (i % 10 === 9) await tn.run(50);
  }
  await tn.runUntil(
    () => tn.live().every((x) => aliveCount(x) === n),
    o.maxMs ?? 60_000,
    `${n} nodes formed`,
  );
  return tn;
}

/** How many members `node` sees alive (itself included). */
export function aliveCount(node: MaculaNode): number {
  let k = 0;
  for (const m of node.members()) if (m.state === 'alive') k++;
  return k;
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A node identity whose key (hence node id and ring position) comes from `random`: runs replay. */
export async function seededIdentity(random: Random, realm = VREALM): Promise<NodeIdentity> {
  const der = Buffer.concat([PKCS8_ED25519, Buffer.from(random.bytes(32))]);
  const pem = `-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`;
  return selfSignedIdentity(await importKeyPair(pem), realm);
}
