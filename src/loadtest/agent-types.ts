/**
 * What the runner asks of each node under test. The same contract is served in-process
 * (memory transport) and over IPC by a worker process (QUIC): every argument and result
 * is plain JSON, and the load itself runs next to the node, so IPC never carries a
 * message of the load.
 */
import type { MeasureData, MeasureSpec } from './measure.js';
import type { Qos } from './options.js';
import type { NetFault } from './udp-faults.js';

export interface StartSpec {
  name: string;
  realm: string;
  host: string;
  port: number;
  /** `host:port` of nodes to join through. */
  bootstrap: string[];
  /** Members (itself included) this node should see alive once the mesh has formed. */
  expectMembers: number;
}

export interface Started {
  nodeId: string;
  host: string;
  port: number;
}

export interface PublishSpec {
  topic: string;
  /** Publishes per second from this node; 0 = back to back. */
  rate: number;
  concurrency: number;
  durationMs: number;
  payloadBytes: number;
  qos: Qos;
}

export interface CallSpec {
  procedure: string;
  /** Calls per second from this node; 0 = as fast as `concurrency` allows. */
  rate: number;
  concurrency: number;
  durationMs: number;
  payloadBytes: number;
  timeoutMs: number;
}

export interface LoadDone {
  started: number;
  elapsedMs: number;
}

export type MemberEventKind = 'join' | 'alive' | 'suspect' | 'dead' | 'leave' | 'update';

/** A membership change one node observed. */
export interface MemberEventRecord {
  /** Load-clock instant (ms). */
  atMs: number;
  kind: MemberEventKind;
  /** The node that saw it (its name). */
  observer: string;
  /** The member it is about (name, else a short id). */
  subject: string;
}

export interface AgentProgress {
  sent: number;
  delivered: number;
  errors: number;
  /** Members this node sees alive, itself included. */
  alive: number;
  /** Members this node has declared dead or seen leave (names, else short ids). */
  down: string[];
}

export interface AgentReport extends MeasureData {
  name: string;
  events: MemberEventRecord[];
  /** Events not kept (over the per-node bound). */
  eventsDropped: number;
  /** Load-clock instant this node first saw every expected member alive. */
  fullViewAt?: number;
}

/** One node under test. Every method takes an optional AbortSignal. */
export interface AgentApi {
  start(spec: StartSpec, signal?: AbortSignal): Promise<Started>;
  /** Resolves with the instant this node saw every expected member alive. */
  waitFullView(timeoutMs: number, signal?: AbortSignal): Promise<number>;
  /** Starts a new measurement window (counters, histogram, series and events cleared). */
  reset(spec: MeasureSpec, signal?: AbortSignal): Promise<void>;
  /** Subscribes and counts the measured messages it receives; resolves once announced. */
  subscribe(topic: string, signal?: AbortSignal): Promise<void>;
  /** Publishes acknowledged warm-up messages until `expect` subscriber nodes acknowledge one. */
  warmPublish(arg: { topic: string; expect: number; timeoutMs: number }, signal?: AbortSignal): Promise<void>;
  publish(spec: PublishSpec, signal?: AbortSignal): Promise<LoadDone>;
  /** Provides `procedure` (an echo); resolves once announced. */
  register(procedure: string, signal?: AbortSignal): Promise<void>;
  /** Calls `procedure` until `calls` calls in a row succeeded. */
  warmCall(arg: { procedure: string; calls: number; timeoutMs: number }, signal?: AbortSignal): Promise<void>;
  call(spec: CallSpec, signal?: AbortSignal): Promise<LoadDone>;
  progress(signal?: AbortSignal): Promise<AgentProgress>;
  collect(signal?: AbortSignal): Promise<AgentReport>;
  /** Drops this node's outgoing UDP packets (QUIC workers only). */
  netFault(fault: NetFault, signal?: AbortSignal): Promise<void>;
  stop(signal?: AbortSignal): Promise<void>;
}

export type AgentMethod = keyof AgentApi;

export const AGENT_METHODS: readonly AgentMethod[] = [
  'start',
  'waitFullView',
  'reset',
  'subscribe',
  'warmPublish',
  'publish',
  'register',
  'warmCall',
  'call',
  'progress',
  'collect',
  'netFault',
  'stop',
];
