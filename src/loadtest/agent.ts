import type { Member } from '../membership/index.js';
import { createNode, type MaculaNode, type Subscription } from '../node/index.js';
import { type Clock, raceAbort } from '../runtime/index.js';
import { generateIdentity } from '../security/index.js';
import type { Transport } from '../transport/index.js';
import { callLoad, countingSubscription, publishLoad, warmCall, warmPublish } from './agent-load.js';
import type {
  AgentApi,
  AgentProgress,
  AgentReport,
  CallSpec,
  LoadDone,
  MemberEventKind,
  MemberEventRecord,
  PublishSpec,
  Started,
  StartSpec,
} from './agent-types.js';
import { LoadtestError } from './errors.js';
import { Measure, type MeasureSpec } from './measure.js';
import type { NetFault } from './udp-faults.js';

/** Membership events kept per node per window (a 2,000-node formation would make 4 million). */
const MAX_EVENTS = 2000;
const KINDS: MemberEventKind[] = ['join', 'alive', 'suspect', 'dead', 'leave', 'update'];

export interface AgentDeps {
  clock: Clock;
  /** Default: QUIC. */
  transport?: Transport;
  /** How a worker drops its node's packets; absent in-process (the memory network does it). */
  netFault?: (fault: NetFault) => void;
}

/** One node under test and the load it generates or receives (see {@link AgentApi}). */
export class Agent implements AgentApi {
  private node?: MaculaNode;
  private name = '';
  private expect = 0;
  private measure = new Measure({ startMs: 0, bucketMs: 1000, buckets: 1 });
  private events: MemberEventRecord[] = [];
  private eventsDropped = 0;
  /** Members seen alive, by id (this node not included), kept from the events. */
  private readonly alive = new Set<string>();
  /** Members declared dead or gone, id → name. */
  private readonly down = new Map<string, string>();
  private fullViewAt?: number;
  private readonly fullViewWaiters = new Set<(at: number) => void>();
  private readonly subs: Subscription<Uint8Array>[] = [];

  constructor(private readonly deps: AgentDeps) {}

  async start(spec: StartSpec, signal?: AbortSignal): Promise<Started> {
    this.name = spec.name;
    this.expect = spec.expectMembers;
    const node = createNode({
      identity: await generateIdentity(spec.realm),
      name: spec.name,
      listen: { host: spec.host, port: spec.port },
      bootstrap: spec.bootstrap,
      ...(this.deps.transport ? { transport: this.deps.transport } : {}),
    });
    this.node = node;
    for (const kind of KINDS) node.on(`member:${kind}`, (m) => this.onMember(kind, m));
    await raceAbort(node.start(), signal);
    this.checkFullView();
    return { nodeId: node.nodeId, host: node.address.host, port: node.address.port };
  }

  waitFullView(timeoutMs: number, signal?: AbortSignal): Promise<number> {
    if (this.fullViewAt !== undefined) return Promise.resolve(this.fullViewAt);
    const clock = this.deps.clock;
    let waiter: ((at: number) => void) | undefined;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const seen = new Promise<number>((resolve, reject) => {
      waiter = resolve;
      timer = clock.setTimeout(() => {
        const n = this.alive.size + 1;
        reject(
          new LoadtestError('FORMATION_TIMEOUT', `${this.name} sees ${n} of ${this.expect} members alive`),
        );
      }, timeoutMs);
      this.fullViewWaiters.add(resolve);
    });
    const cleanup = () => {
      if (timer) clock.clearTimeout(timer);
      if (waiter) this.fullViewWaiters.delete(waiter);
    };
    return raceAbort(seen, signal, cleanup).finally(cleanup);
  }

  async reset(spec: MeasureSpec): Promise<void> {
    this.measure = new Measure(spec);
    this.events = [];
    this.eventsDropped = 0;
  }

  async subscribe(topic: string, signal?: AbortSignal): Promise<void> {
    const sub = await countingSubscription(this.need(), topic, this.deps.clock, () => this.measure, signal);
    this.subs.push(sub);
  }

  warmPublish(
    arg: { topic: string; expect: number; timeoutMs: number },
    signal?: AbortSignal,
  ): Promise<void> {
    return warmPublish(this.need(), arg, this.deps.clock, signal);
  }

  publish(spec: PublishSpec, signal?: AbortSignal): Promise<LoadDone> {
    return publishLoad(this.need(), spec, this.deps.clock, this.measure, signal);
  }

  async register(procedure: string): Promise<void> {
    await this.need().register(procedure, (args: unknown) => args);
  }

  warmCall(
    arg: { procedure: string; calls: number; timeoutMs: number },
    signal?: AbortSignal,
  ): Promise<void> {
    return warmCall(this.need(), arg, this.deps.clock, signal);
  }

  call(spec: CallSpec, signal?: AbortSignal): Promise<LoadDone> {
    return callLoad(this.need(), spec, this.deps.clock, this.measure, signal);
  }

  async progress(): Promise<AgentProgress> {
    const m = this.measure;
    const down = [...this.down.values()];
    return { sent: m.sent, delivered: m.delivered, errors: m.errorCount, alive: this.alive.size + 1, down };
  }

  async collect(): Promise<AgentReport> {
    return {
      name: this.name,
      ...this.measure.toJSON(),
      events: [...this.events],
      eventsDropped: this.eventsDropped,
      ...(this.fullViewAt !== undefined ? { fullViewAt: this.fullViewAt } : {}),
    };
  }

  async netFault(fault: NetFault): Promise<void> {
    if (!this.deps.netFault) {
      throw new LoadtestError('UNSUPPORTED_FAULT', 'this node cannot drop its own packets (not a worker)');
    }
    this.deps.netFault(fault);
  }

  async stop(): Promise<void> {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    await this.node?.stop();
  }

  private need(): MaculaNode {
    if (!this.node) throw new LoadtestError('AGENT_FAILED', 'the node is not started');
    return this.node;
  }

  private onMember(kind: MemberEventKind, m: Member): void {
    const subject = m.name ?? m.id.slice(0, 8);
    if (kind === 'join' || kind === 'alive') {
      this.alive.add(m.id);
      this.down.delete(m.id);
    } else if (kind !== 'update') this.alive.delete(m.id);
    if (kind === 'dead' || kind === 'leave') this.down.set(m.id, subject);
    if (this.events.length < MAX_EVENTS) {
      this.events.push({ atMs: this.deps.clock.now(), kind, observer: this.name, subject });
    } else this.eventsDropped++;
    this.checkFullView();
  }

  private checkFullView(): void {
    if (this.fullViewAt !== undefined || this.alive.size + 1 < this.expect) return;
    this.fullViewAt = this.deps.clock.now();
    for (const w of [...this.fullViewWaiters]) w(this.fullViewAt);
  }
}
