import type { NodeConfig } from '../config/index.js';
import { MaculaError } from '../core/index.js';
import type { MemberState } from '../membership/index.js';
import type { MaculaNode, NodeStats, PeerSummary, RoutesSummary } from '../node/index.js';
import { type Contact, idKey, type LookupEvent, type LookupResult, prefixLength } from '../routing/index.js';
import type { TopologySnapshot } from '../topology/index.js';
import type { Address } from '../transport/index.js';
import { isMessagingCommand, type MessagingCommand, messagingAnswer } from './messaging.js';
import { registerEcho, unregisterEcho } from './procedures.js';

/** The control commands a running `macula start` answers (see control.ts for the socket). */
export type ControlCommand =
  | 'status'
  | 'members'
  | 'topology'
  | 'routes'
  | 'lookup'
  | 'register'
  | 'unregister'
  | MessagingCommand;

export interface StatusAnswer {
  nodeId: string;
  name: string | null;
  realm: string;
  version: string;
  address: Address;
  stats: NodeStats;
  connections: PeerSummary[];
  /** Members by state, self included. */
  members: Partial<Record<MemberState, number>>;
}

export interface MemberRow {
  id: string;
  name?: string;
  address: Address;
  state: MemberState;
  incarnation: number;
  /** Wall-clock time (ISO 8601) of the member's last state change. */
  since: string;
  /** How long it has been in that state (ms). */
  forMs: number;
  self: boolean;
}

export interface MembersAnswer {
  self: string;
  members: MemberRow[];
}

export interface TopologyAnswer extends TopologySnapshot {
  /** Display names of the members that announced one, by node id. */
  names: Record<string, string>;
  /** `node.renderTopology()`: what `macula topology` prints. */
  rendered: string;
}

export interface RoutesAnswer extends RoutesSummary {
  /** Display names of the members that announced one (self included), by node id. */
  names: Record<string, string>;
}

/**
 * One step of a lookup as `macula lookup` prints it: a {@link LookupEvent} other than
 * `done`, with `ms` since the lookup started instead of the node's clock time, the
 * error as its message, and `hop` counted as in {@link LookupResult.hops} (1 = a peer
 * from this node's own table, 2 = a peer one of those named…).
 */
export type LookupStep =
  | { type: 'query'; peer: Contact; hop: number; timeoutMs: number; ms: number }
  | { type: 'response'; peer: Contact; hop: number; rttMs: number; contacts: number; ms: number }
  | { type: 'timeout'; peer: Contact; hop: number; timeoutMs: number; ms: number }
  | { type: 'failure'; peer: Contact; hop: number; error: string; ms: number };

export interface LookupAnswer {
  /** The node that ran the lookup. */
  self: string;
  target: string;
  /** Every step, in the order it happened. */
  steps: LookupStep[];
  /** Absent when the lookup failed (then `error` says why). */
  result?: LookupResult;
  error?: { code: string; message: string };
  /** Bits each closest node (and this node) shares with the target: 256 = the target itself. */
  prefixBits: Record<string, number>;
  names: Record<string, string>;
}

/** Answers one control command from the node's current state. */
export function answer(
  node: MaculaNode,
  config: NodeConfig,
  command: string,
  args: string[] = [],
  signal?: AbortSignal,
  /** Prints a line on the node's output (the echo procedure logs its calls there). */
  say: (line: string) => void = () => {},
): unknown {
  if (isMessagingCommand(command)) return messagingAnswer(node, config, command, args, signal);
  if (command === 'register') return registerEcho(node, config, args, say);
  if (command === 'unregister') return unregisterEcho(node, args);
  const takes = command === 'lookup' ? 1 : 0;
  if (args.length !== takes) {
    throw new MaculaError(
      'BAD_REQUEST',
      `control command "${command}" takes ${takes} argument(s), got ${args.length}`,
    );
  }
  if (command === 'status') return status(node, config);
  if (command === 'members') return members(node);
  if (command === 'topology') return topology(node);
  if (command === 'routes') return routes(node);
  if (command === 'lookup') return lookup(node, args[0]!, signal);
  throw new MaculaError('UNKNOWN_COMMAND', `unknown control command "${command}"`);
}

function status(node: MaculaNode, config: NodeConfig): StatusAnswer {
  const counts: Partial<Record<MemberState, number>> = {};
  for (const m of node.members()) counts[m.state] = (counts[m.state] ?? 0) + 1;
  return {
    nodeId: node.nodeId,
    name: config.name ?? null,
    realm: node.realm,
    version: node.version,
    address: node.address,
    stats: node.stats(),
    connections: node.connections(),
    members: counts,
  };
}

function members(node: MaculaNode): MembersAnswer {
  // Member.since is on the node's clock (performance.now() for the CLI's nodes).
  const now = performance.now();
  const wall = Date.now();
  const rows = node.members().map((m) => ({
    id: m.id,
    ...(m.name ? { name: m.name } : {}),
    address: m.address,
    state: m.state,
    incarnation: m.incarnation,
    since: new Date(wall - (now - m.since)).toISOString(),
    forMs: Math.max(0, Math.round(now - m.since)),
    self: m.id === node.nodeId,
  }));
  rows.sort((a, b) => Number(b.self) - Number(a.self) || (a.name ?? a.id).localeCompare(b.name ?? b.id));
  return { self: node.nodeId, members: rows };
}

function topology(node: MaculaNode): TopologyAnswer {
  const snap = node.topology();
  if (!snap) throw new MaculaError('NO_TOPOLOGY', 'This node runs without membership, so it has no topology');
  return { ...snap, names: names(node), rendered: node.renderTopology() };
}

function names(node: MaculaNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of node.members()) if (m.name) out[m.id] = m.name;
  return out;
}

function routes(node: MaculaNode): RoutesAnswer {
  return { ...node.routes(), names: names(node) };
}

/**
 * Runs a lookup of `target` (64 lowercase hex: the CLI hashes keys itself) and reports
 * every step. A failed lookup still answers, with its steps and `error`; only a
 * malformed target rejects (`INVALID_ID`).
 */
async function lookup(node: MaculaNode, target: string, signal?: AbortSignal): Promise<LookupAnswer> {
  const events = node.lookupEvents(target, signal ? { signal } : {}); // throws on a bad id
  const seen: Exclude<LookupEvent, { type: 'done' }>[] = [];
  let done: Extract<LookupEvent, { type: 'done' }> | undefined;
  let error: LookupAnswer['error'];
  try {
    for await (const e of events) {
      if (e.type === 'done') done = e;
      else seen.push(e);
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    error = { code: typeof code === 'string' ? code : 'LOOKUP_FAILED', message: (e as Error).message };
  }
  // The lookup started durationMs before `done`; without one, with its first event.
  const t0 = done ? done.at - done.result.durationMs : (seen[0]?.at ?? 0);
  const ms = (at: number) => Math.round((at - t0) * 1000) / 1000;
  const steps = seen.map((e): LookupStep => {
    const hop = e.hop + 1;
    if (e.type === 'failure')
      return { type: e.type, peer: e.peer, hop, error: e.error.message, ms: ms(e.at) };
    const { at, ...rest } = e;
    return { ...rest, hop, ms: ms(at) };
  });
  const t = idKey(target);
  const prefixBits: Record<string, number> = { [node.nodeId]: prefixLength(idKey(node.nodeId), t) };
  for (const c of done?.result.closest ?? []) prefixBits[c.id] = prefixLength(idKey(c.id), t);
  return {
    self: node.nodeId,
    target,
    steps,
    ...(done ? { result: done.result } : {}),
    ...(error ? { error } : {}),
    prefixBits,
    names: names(node),
  };
}
