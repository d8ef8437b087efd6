import type { Member, MembershipEvents } from '../membership/index.js';
import type { MaculaNode, NodeEvents } from '../node/index.js';
import { type Output, shortId } from './output.js';

/** `node2 (b7c3d8e2f5a9b4c1...)`, or the short id alone for a member without a name. */
export function who(id: string, name?: string): string {
  return name ? `${name} (${shortId(id)})` : shortId(id);
}

/** Prints one `[info]` line (or `--json` event) per peer and membership event of `node`. */
export function reportNodeEvents(node: MaculaNode, out: Output): void {
  // Names seen so far: a disconnect event carries only the node id.
  const names = new Map<string, string>();
  reportPeers(node, out, names);
  reportMembers(node, out, names);
  reportTopology(node, out);
}

function reportPeers(node: MaculaNode, out: Output, names: Map<string, string>): void {
  node.on('peer:connected', (p) => {
    if (p.name) names.set(p.nodeId, p.name);
    if (p.direction === 'inbound') out.info(`New connection from ${p.address.host}:${p.address.port}`);
    const text = p.direction === 'inbound' ? 'Handshake complete:' : 'Connected to';
    out.info(`${text} ${who(p.nodeId, p.name)}`, {
      event: 'peer:connected',
      peer: p.nodeId,
      ...(p.name ? { name: p.name } : {}),
      address: p.address,
      direction: p.direction,
    });
  });
  node.on('peer:refused', (r) =>
    out.info(
      r.by === 'us'
        ? `Refused connection ${r.address.host}:${r.address.port}: ${r.reason}`
        : `Connection ${r.address.host}:${r.address.port} refused by the peer: ${r.reason}`,
      { event: 'peer:refused', address: r.address, by: r.by },
    ),
  );
  node.on('peer:disconnected', (p) =>
    out.info(`Disconnected from ${who(p.nodeId, names.get(p.nodeId))} (${p.reason})`, {
      event: 'peer:disconnected',
      peer: p.nodeId,
    }),
  );
}

const MEMBER_LINES: Record<keyof MembershipEvents, string> = {
  'member:join': 'Member joined',
  'member:alive': 'Member back',
  'member:suspect': 'Member suspect',
  'member:dead': 'Member dead',
  'member:leave': 'Member left',
  'member:update': 'Member moved',
};
const MEMBER_EVENTS = Object.keys(MEMBER_LINES) as (keyof MembershipEvents)[];

function reportMembers(node: MaculaNode, out: Output, names: Map<string, string>): void {
  let last = '1/0'; // alone at start: the first line printed is the first change
  // One summary line per change of the counts, as the seed prints after every join or failure.
  const summary = () => {
    let alive = 0;
    let suspect = 0;
    for (const m of node.members()) {
      if (m.state === 'alive') alive++;
      else if (m.state === 'suspect') suspect++;
    }
    const key = `${alive}/${suspect}`;
    if (key === last) return;
    last = key;
    const text = `${alive} ${alive === 1 ? 'node' : 'nodes'} alive${suspect ? `, ${suspect} suspect` : ''}`;
    out.info(`SWIM membership: ${text}`, { event: 'membership', alive, suspect });
  };
  for (const event of MEMBER_EVENTS) {
    node.on(event, (m: Member) => {
      if (m.name) names.set(m.id, m.name);
      const where = event === 'member:update' ? ` now at ${m.address.host}:${m.address.port}` : '';
      out.info(`${MEMBER_LINES[event]}: ${who(m.id, m.name)}${where}`, {
        event,
        member: m.id,
        ...(m.name ? { name: m.name } : {}),
        address: m.address,
        incarnation: m.incarnation,
        state: m.state,
      });
      summary();
    });
  }
}

/**
 * `Mesh topology: k_regular (k=2), 2/2 desired peers connected` each time the node has
 * all the peers it wants, for a new set of them (after joins, or after healing around a
 * dead member). Checked shortly after each change: the node rewires a moment after
 * membership changes and has no event of its own for it.
 */
function reportTopology(node: MaculaNode, out: Output): void {
  let printed = '';
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const snap = node.topology();
    if (!snap || snap.desired.length === 0) return;
    const connected = new Set(snap.connections.map((c) => c.id));
    if (!snap.desired.every((id) => connected.has(id))) return;
    const key = [...snap.desired].sort().join(',');
    if (key === printed) return;
    printed = key;
    const n = snap.desired.length;
    out.info(`Mesh topology: k_regular (k=${snap.k}), ${n}/${n} desired peers connected`, {
      event: 'topology',
      desired: snap.desired,
      connections: snap.connections.length,
    });
  };
  // Each event restarts the wait, so the check sees the rewiring of the last one.
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 200).unref();
  };
  const events: (keyof NodeEvents)[] = ['peer:connected', 'peer:disconnected', ...MEMBER_EVENTS];
  for (const event of events) node.on(event, later);
}
