import type { NodeConfig } from '../config/index.js';
import { MaculaError } from '../core/index.js';
import type { MemberState } from '../membership/index.js';
import type { MaculaNode, NodeStats, PeerSummary } from '../node/index.js';
import type { TopologySnapshot } from '../topology/index.js';
import type { Address } from '../transport/index.js';

/** The control commands a running `macula start` answers (see control.ts for the socket). */
export type ControlCommand = 'status' | 'members' | 'topology';

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

/** Answers one control command from the node's current state. */
export function answer(node: MaculaNode, config: NodeConfig, command: string): unknown {
  if (command === 'status') return status(node, config);
  if (command === 'members') return members(node);
  if (command === 'topology') return topology(node);
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
  const names: Record<string, string> = {};
  for (const m of node.members()) if (m.name) names[m.id] = m.name;
  return { ...snap, names, rendered: node.renderTopology() };
}
