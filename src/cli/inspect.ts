import { MaculaError } from '../core/index.js';
import type { MemberState } from '../membership/index.js';
import type {
  LookupAnswer,
  MemberRow,
  MembersAnswer,
  RoutesAnswer,
  StatusAnswer,
  TopologyAnswer,
} from './answers.js';
import { askControl } from './control.js';
import { who } from './events.js';
import { makeOutput, shortId } from './output.js';
import { formatLookup, formatRoutes, lookupFailure, lookupTarget } from './routing-format.js';

/** Flags of the commands that ask a running node through its control socket. */
export interface InspectFlags {
  dataDir: string;
  json?: boolean;
}

/** `macula status`: the node's identity, address, counters and connections. */
export async function statusCommand(flags: InspectFlags): Promise<void> {
  const s = (await askControl(flags.dataDir, 'status')) as StatusAnswer;
  makeOutput(flags.json ?? false).result(s, () =>
    [
      `Node ${s.name ? `${s.name} ` : ''}${s.nodeId}`,
      `Realm ${s.realm}, listening on ${s.address.host}:${s.address.port}, up ${(s.stats.uptimeMs / 1000).toFixed(0)} s`,
      `Members: ${summary(s.members ?? {})}`,
      `${s.stats.activeConnections} connection(s)`,
      ...s.connections.map(
        (c) =>
          `  ${who(c.nodeId, c.name)} ${c.direction} ${c.address.host}:${c.address.port} rtt ${c.rttMs.toFixed(1)} ms`,
      ),
    ].join('\n'),
  );
}

/** `macula members`: every member the node knows, self first, as a table. */
export async function membersCommand(flags: InspectFlags): Promise<void> {
  const a = (await askControl(flags.dataDir, 'members')) as MembersAnswer;
  makeOutput(flags.json ?? false).result(a, () => membersTable(a.members));
}

/** `macula topology`: the node's links as an ASCII picture (JSON: the snapshot plus names). */
export async function topologyCommand(flags: InspectFlags): Promise<void> {
  const { rendered, ...snapshot } = (await askControl(flags.dataDir, 'topology')) as TopologyAnswer;
  makeOutput(flags.json ?? false).result(snapshot, () => rendered);
}

/** `macula routes`: the routing table by bucket, and the lookup and routed-message counters. */
export async function routesCommand(flags: InspectFlags): Promise<void> {
  const a = (await askControl(flags.dataDir, 'routes')) as RoutesAnswer;
  makeOutput(flags.json ?? false).result(a, () => formatRoutes(a, process.stdout.columns || 100));
}

/**
 * `macula lookup <nodeId|key>`: the running node looks the target up (a key is hashed
 * with sha256 first) and reports each query. A failed lookup prints its steps, then
 * the error, and exits 1.
 */
export async function lookupCommand(arg: string, flags: InspectFlags): Promise<void> {
  const { target, key } = lookupTarget(arg);
  const a = (await askControl(flags.dataDir, 'lookup', { args: [target] })) as LookupAnswer;
  const json = flags.json ?? false;
  makeOutput(json).result(key === undefined ? a : { key, ...a }, () => formatLookup(a, key));
  if (!a.error) return;
  if (json)
    process.exitCode = 1; // the answer above carries the error
  else throw new MaculaError(a.error.code, lookupFailure(a));
}

const STATES: MemberState[] = ['alive', 'suspect', 'dead', 'left'];

/** `2 alive, 1 dead`: counts in a fixed order, states with no member left out. */
function summary(counts: Partial<Record<MemberState, number>>): string {
  const parts = STATES.filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'none (membership off)';
}

export function membersTable(rows: MemberRow[]): string {
  const header = ['NAME', 'NODE ID', 'ADDRESS', 'STATE', 'INC', 'SINCE'];
  const lines = rows.map((m) => [
    `${m.name ?? '-'}${m.self ? ' *' : ''}`,
    shortId(m.id),
    `${m.address.host}:${m.address.port}`,
    m.state,
    String(m.incarnation),
    `${ago(m.forMs)} ago`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const counts: Partial<Record<MemberState, number>> = {};
  for (const m of rows) counts[m.state] = (counts[m.state] ?? 0) + 1;
  const total = `${rows.length} ${rows.length === 1 ? 'member' : 'members'}: ${summary(counts)}`;
  return [fmt(header), ...lines.map(fmt), '', `${total} (* = this node)`].join('\n');
}

/** `45 s`, `3 min 05 s`, `2 h 10 min`. */
function ago(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, '0')} min`;
}
