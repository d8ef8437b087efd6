import { createHash } from 'node:crypto';
import { MaculaError } from '../core/index.js';
import type { LookupAnswer, LookupStep, RoutesAnswer } from './answers.js';
import { shortId } from './output.js';

// Human output of `macula routes` and `macula lookup`: pure functions of the node's
// answers (answers.ts), so they are tested without processes.

const HEX64 = /^[0-9a-f]{64}$/i;

/** What `macula lookup <arg>` looks up: a node id as given, or the sha256 of a key. */
export interface LookupTarget {
  target: string;
  /** The key that was hashed, when `arg` was not a node id. */
  key?: string;
}

/** `arg` lowercased when it is 64 hex characters, else `sha256(utf8(arg))` in hex. */
export function lookupTarget(arg: string): LookupTarget {
  if (arg.length === 0)
    throw new MaculaError('INVALID_ARGUMENT', 'lookup needs a node id or a non-empty key');
  if (HEX64.test(arg)) return { target: arg.toLowerCase() };
  return { target: createHash('sha256').update(arg, 'utf8').digest('hex'), key: arg };
}

/** `node2 (a1b2c3d4)`, or `a1b2c3d4` for a node without a name. */
export function label(id: string, names: Record<string, string>): string {
  const name = names[id];
  return name ? `${name} (${id.slice(0, 8)})` : id.slice(0, 8);
}

/** `1.2 ms` with one decimal (no decimal from 100 ms on). */
export function ms(v: number): string {
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `, rejected 3 (bad-id 2, loop 1)`, or nothing when nothing was rejected. */
function rejected(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0);
  if (parts.length === 0) return '';
  const total = parts.reduce((s, [, n]) => s + n, 0);
  return `, rejected ${total} (${parts.map(([why, n]) => `${why} ${n}`).join(', ')})`;
}

/** Joins `items` with `sep` into lines of at most `width` columns, continuation lines indented by `indent`. */
function wrap(items: string[], indent: number, width: number, sep = ', '): string {
  const lines: string[] = [];
  let line = '';
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item}${sep.trimEnd()}` : item;
    if (line && indent + line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** What `macula routes` prints: the table by bucket, nearest first, then the counters. */
export function formatRoutes(a: RoutesAnswer, width = 100): string {
  const t = a.table;
  const out = [
    `Routing table of ${a.names[a.selfId] ? `${a.names[a.selfId]} ` : ''}${a.selfId}`,
    `${plural(t.size, 'peer')} in ${plural(t.buckets, 'bucket')}, k=${a.k}` +
      (t.replacements ? `, ${t.replacements} waiting in replacement caches` : ''),
    '',
  ];
  if (a.buckets.length === 0) out.push('No peers in the routing table yet.');
  else {
    const head = ['BUCKET', 'SIZE'];
    const rows = a.buckets.map((b) => [String(b.index), `${b.size}/${a.k}`]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const indent = widths[0]! + widths[1]! + 4;
    out.push(
      `${head[0]!.padEnd(widths[0]!)}  ${head[1]!.padStart(widths[1]!)}  PEERS (bucket = id bits shared with this node)`,
    );
    for (const [i, b] of a.buckets.entries()) {
      const peers = b.peers.map((p) => {
        const extra = [
          p.rttMs !== undefined ? ms(p.rttMs) : 'rtt ?',
          ...(p.failures ? [plural(p.failures, 'failure')] : []),
        ];
        return `${label(p.id, a.names)} ${extra.join(' ')}`;
      });
      const [index, size] = rows[i]!;
      out.push(
        `${index!.padStart(widths[0]!)}  ${size!.padStart(widths[1]!)}  ${wrap(peers, indent, width)}`,
      );
    }
  }
  const l = a.lookups;
  const r = a.routed;
  out.push(
    '',
    `Table: ${t.added} added, ${t.evicted} evicted, ${plural(t.checks, 'liveness check')} (${t.checkFailures} failed)${rejected(t.rejected)}`,
    `Lookups: ${l.lookups} (${l.succeeded} succeeded, ${l.failed} failed, ${l.aborted} aborted), ` +
      `${plural(l.queries, 'query', 'queries')}, ${plural(l.timeouts, 'timeout')}${rejected(l.rejected)}`,
    `Routed messages: ${r.sent} sent, ${r.delivered} delivered, ${r.forwarded} forwarded, ` +
      `${plural(r.fallbacks, 'fallback')}` +
      // Only when they happened: both are rare (simultaneous dials, retried messages).
      (r.retries ? `, ${plural(r.retries, 'retry', 'retries')}` : '') +
      (r.duplicates ? `, ${plural(r.duplicates, 'duplicate')}` : '') +
      rejected(r.rejected),
  );
  return out.join('\n');
}

/** One lookup step: `hop 1 → query node2 (a1b2c3d4) 127.0.0.1:4434`. */
export function formatStep(s: LookupStep, names: Record<string, string>): string {
  const who = label(s.peer.id, names);
  const at = ms(s.ms).padStart(9);
  switch (s.type) {
    case 'query':
      return `${at}  hop ${s.hop} → query ${who} ${s.peer.address.host}:${s.peer.address.port}`;
    case 'response':
      return `${at}  hop ${s.hop} ← response ${who} ${ms(s.rttMs)}, ${plural(s.contacts, 'contact')}`;
    case 'timeout':
      return `${at}  hop ${s.hop} ✗ timeout ${who}: no answer within ${ms(s.timeoutMs)}`;
    case 'failure':
      return `${at}  hop ${s.hop} ✗ failed ${who}: ${s.error}`;
  }
}

const bits = (n: number) => (n >= 256 ? '256 bits (the target itself)' : plural(n, 'bit'));

/** What `macula lookup` prints: the key's hash, each step, the closest nodes and a summary. */
export function formatLookup(a: LookupAnswer, key?: string): string {
  const out: string[] = [];
  if (key !== undefined) out.push(`key ${JSON.stringify(key)} → ${a.target}`);
  out.push(`Lookup of ${shortId(a.target)} from ${label(a.self, a.names)}`);
  out.push(...a.steps.map((s) => formatStep(s, a.names)));
  if (a.steps.length === 0) out.push('  (no query sent)');
  const res = a.result;
  if (res) {
    out.push('', 'Closest to the target (bits of the id shared with it; more = closer):');
    const rows = res.closest.map((c, i) => [
      `${i + 1}.`,
      label(c.id, a.names),
      bits(a.prefixBits[c.id] ?? 0),
      `${c.address.host}:${c.address.port}`,
    ]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) {
      out.push(
        `  ${r[0]!.padStart(widths[0]!)} ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`,
      );
    }
    out.push(`  (this node: ${bits(a.prefixBits[a.self] ?? 0)})`, '');
    out.push(
      `found in ${plural(res.hops, 'hop')}, ${plural(res.messages, 'message')}, ${ms(res.durationMs)} ` +
        `(${plural(res.queried, 'peer')} queried, ${plural(res.rounds, 'round')}, ${plural(res.timeouts, 'timeout')})`,
    );
  }
  return out.join('\n');
}

/** The error line of a failed lookup, with a hint when there was nobody to ask. */
export function lookupFailure(a: LookupAnswer): string {
  const msg = a.error?.message ?? 'lookup failed';
  return a.steps.length === 0 ? `${msg} (the routing table is empty: is the node connected to a peer?)` : msg;
}
