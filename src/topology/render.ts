import type { LinkRole, TopologySnapshot } from './types.js';

type Row = { label: string; arrow: string; role: LinkRole; detail: string };

/**
 * Renders a snapshot as text: a header, self, one line per desired peer (connected or
 * not) then one per extra connection, and a summary. `names` maps node ids to display
 * names. Arrows: `──→` we dialed, `←──` they dialed, `···` desired but not connected.
 */
export function renderTopology(
  snapshot: TopologySnapshot,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const label = (id: string) => {
    const short = `${id.slice(0, 8)}…`;
    const name = names.get(id);
    return name ? `${name} (${short})` : short;
  };
  const byId = new Map(snapshot.connections.map((c) => [c.id, c]));
  const dialing = new Set(snapshot.pendingDials);
  const backoffs = new Map(snapshot.backoffs.map((b) => [b.id, b]));
  const rows: Row[] = [];
  const desired = new Set(snapshot.desired);
  for (const id of snapshot.desired) {
    const c = byId.get(id);
    const role = roleOf(snapshot, id);
    if (c) rows.push({ label: label(id), arrow: arrowOf(c.direction), role, detail: ms(c.rttMs) });
    else rows.push({ label: label(id), arrow: '···', role, detail: missing(id, dialing, backoffs) });
  }
  for (const c of [...snapshot.connections].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (desired.has(c.id)) continue;
    rows.push({ label: label(c.id), arrow: arrowOf(c.direction), role: 'extra', detail: ms(c.rttMs) });
  }

  const title = `Mesh Topology (k=${snapshot.k}, max ${snapshot.maxConnections} connections)`;
  const out = [title, '='.repeat(title.length), `self: ${label(snapshot.self)}`, ''];
  const width = Math.max(0, ...rows.map((r) => r.label.length));
  for (const r of rows) out.push(`  ${r.arrow} ${r.label.padEnd(width)}  ${r.role.padEnd(10)}  ${r.detail}`);
  if (rows.length === 0) out.push('  (no peers)');
  out.push('');

  const count = (role: LinkRole) => snapshot.connections.filter((c) => c.role === role).length;
  const up = snapshot.desired.filter((id) => byId.has(id)).length;
  out.push(
    `${snapshot.connections.length} connections (${count('ring')} ring, ${count('long-range')} long-range, ` +
      `${count('extra')} extra); ${up}/${snapshot.desired.length} desired connected, ` +
      `${dialing.size} dialing, ${backoffs.size} backing off`,
  );
  const rtts = snapshot.connections.map((c) => c.rttMs);
  out.push(`Average RTT: ${rtts.length ? ms(rtts.reduce((a, b) => a + b, 0) / rtts.length) : 'n/a'}`);
  return out.join('\n');
}

/** Desired peers list the ring neighbours first, and there are never more than k of them. */
function roleOf(snapshot: TopologySnapshot, id: string): LinkRole {
  return snapshot.desired.indexOf(id) < snapshot.k ? 'ring' : 'long-range';
}

function arrowOf(direction: 'inbound' | 'outbound'): string {
  return direction === 'outbound' ? '──→' : '←──';
}

function ms(v: number): string {
  return `${v.toFixed(1)} ms`;
}

function missing(
  id: string,
  dialing: ReadonlySet<string>,
  backoffs: ReadonlyMap<string, { attempt: number; nextAttemptInMs: number }>,
): string {
  if (dialing.has(id)) return 'dialing';
  const b = backoffs.get(id);
  if (b) return `retry in ${(b.nextAttemptInMs / 1000).toFixed(1)} s (failures: ${b.attempt})`;
  return 'not connected';
}
