import { MaculaError } from '../core/index.js';
import type { Qos } from '../pubsub/index.js';
import { MAX_ARG_LENGTH } from './control.js';
import type { EventLine, PublishAnswer, StatsAnswer } from './messaging.js';
import { shortId } from './output.js';

/** The key of the object that stands for binary data in JSON: `{"$base64": "aGVsbG8="}`. */
export const BINARY_MARKER = '$base64';

/**
 * A MessagePack value as JSON: bytes become `{"$base64": "…"}`, a bigint its decimal
 * string, `undefined` null, a Date its ISO string, a Map an object.
 */
export function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return { [BINARY_MARKER]: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Map) return jsonSafe(Object.fromEntries(value));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

/** Parses a JSON argument; `MaculaError('INVALID_JSON')` saying what is wrong. */
export function parseJsonArg(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MaculaError(
      'INVALID_JSON',
      `The ${what} is not valid JSON (${(e as Error).message}); quote it for the shell, e.g. '{"n": 1}' or '"text"'`,
    );
  }
}

/**
 * A JSON argument checked on this side and compacted, as the node receives it (a control
 * argument of at most {@link MAX_ARG_LENGTH} characters). `ARG_TOO_LONG` past that.
 */
export function jsonArg(text: string, what: string): string {
  const compact = JSON.stringify(parseJsonArg(text, what));
  if (compact.length > MAX_ARG_LENGTH) {
    throw new MaculaError(
      'ARG_TOO_LONG',
      `The ${what} is ${compact.length} characters of compact JSON; the CLI passes at most ${MAX_ARG_LENGTH} to the node (use the node API for larger ones)`,
    );
  }
  return compact;
}

export interface PublishFlags {
  qos?: Qos;
  ack?: boolean;
  retain?: boolean;
  timeout?: number;
}

/** Control args of `publish`: topic, compact JSON payload, options as JSON. */
export function publishArgs(topic: string, json: string, flags: PublishFlags): string[] {
  const opts = {
    ...(flags.qos ? { qos: flags.qos } : {}),
    ...(flags.ack ? { ack: true } : {}),
    ...(flags.retain ? { retain: true } : {}),
    ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
  };
  return [topic, jsonArg(json, 'payload'), JSON.stringify(opts)];
}

/** Control args of `call`: name, compact JSON arguments (`null` when none), options as JSON. */
export function callArgs(name: string, json: string | undefined, flags: { timeout?: number }): string[] {
  const opts = flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {};
  return [name, json === undefined ? 'null' : jsonArg(json, 'argument'), JSON.stringify(opts)];
}

/** How long the CLI waits for the node: the node's deadline (default 10 s) plus 5 s. */
export function controlTimeout(timeoutMs: number | undefined): number {
  return (timeoutMs ?? 10_000) + 5_000;
}

/** A positive integer option (`--timeout`, `--count`); throws for anything else. */
export function positiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new MaculaError('INVALID_ARGUMENT', `expected a positive integer, got ${JSON.stringify(text)}`);
  }
  return n;
}

function isBinary(v: unknown): v is { [BINARY_MARKER]: string } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length === 1 &&
    typeof (v as Record<string, unknown>)[BINARY_MARKER] === 'string'
  );
}

/** A payload on one line: compact JSON; top-level bytes as `<binary N bytes, base64 …>`. */
export function formatPayload(payload: unknown): string {
  if (isBinary(payload)) {
    const b64 = payload[BINARY_MARKER];
    return `<binary ${Buffer.from(b64, 'base64').length} bytes, base64 ${b64}>`;
  }
  return JSON.stringify(payload) ?? 'null';
}

/** `12:03:04.567` in local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** `[12:03:04.567] sensor.temp from node2: {"c":21.5}` (time: the publisher's clock). */
export function formatEvent(e: EventLine): string {
  const from = e.name ?? shortId(e.publisher);
  return `[${clockTime(e.timestamp)}] ${e.topic} from ${from}: ${formatPayload(e.payload)}${e.retained ? ' (retained)' : ''}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `Published hello.world #3 to 2 subscriber node(s)`, plus local deliveries and acknowledgement. */
export function formatPublish(a: PublishAnswer): string {
  const local = a.local > 0 ? ` and ${plural(a.local, 'local subscription')}` : '';
  const acked = a.acked && a.subscribers.length > 0 ? ', all acknowledged' : '';
  const retained = a.retained ? ' (retained)' : '';
  return `Published ${a.topic} #${a.seq} to ${a.subscribers.length} subscriber node(s)${local}${acked}${retained}`;
}

/** The human text of a failure: message, code, and the remote code / missing nodes. */
export function failureText(e: unknown): string {
  const { code, remoteCode, missing } = e as { code?: string; remoteCode?: string; missing?: string[] };
  const parts = [code, remoteCode ? `remote code ${remoteCode}` : undefined].filter(Boolean);
  const why = `${e instanceof Error ? e.message : String(e)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
  return missing?.length ? `${why}; no acknowledgement from ${missing.map(shortId).join(', ')}` : why;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function counts(r: Record<string, number>): string {
  const parts = Object.entries(r)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`);
  return parts.length ? parts.join(', ') : '0';
}

/** `macula stats`: one block per layer, one counter per row. */
export function formatStats(s: StatsAnswer): string {
  const { node: n, pubsub: p, rpc: r, dht: d, routed: m } = s;
  const sections: [string, [string, string | number][]][] = [
    [
      'Node',
      [
        ['connections', n.activeConnections],
        ['messages sent / received', `${n.messagesSent} / ${n.messagesReceived}`],
        ['bytes sent / received', `${bytes(n.bytesSent)} / ${bytes(n.bytesReceived)}`],
        ['failed handshakes', n.handshakesFailed],
      ],
    ],
    [
      'Pub/sub',
      [
        ['subscriptions', p.subscriptions],
        ['published', p.published],
        ['received / delivered', `${p.received} / ${p.delivered}`],
        ['duplicates', p.duplicates],
        ['unmatched / malformed', `${p.unmatched} / ${p.malformed}`],
        ['overflowed', p.overflowed],
        ['send failures', p.sendFailures],
        ['at-least-once pending', p.outbox.pending],
        ['acked / retries', `${p.outbox.acked} / ${p.outbox.retries}`],
        ['expired / abandoned', `${p.outbox.expired} / ${p.outbox.abandoned}`],
      ],
    ],
    [
      'RPC',
      [
        ['registered procedures', r.registered],
        ['calls (failed)', `${r.calls} (${r.callFailures})`],
        ['casts', r.casts],
        ['served (failed)', `${r.served} (${r.serveFailures})`],
        ['failovers', r.failovers],
        ['cached procedures', r.cachedProcedures],
      ],
    ],
    [
      'DHT',
      [
        ['records / keys', `${d.store.records} / ${d.store.keys}`],
        ['stored bytes', bytes(d.store.bytes)],
        ['owned records', d.owned],
        ['puts (failed)', `${d.puts} (${d.putFailures})`],
        ['gets (failed)', `${d.gets} (${d.getFailures})`],
        ['removes', d.removes],
        ['sent store / find (failed)', `${d.sent.store} / ${d.sent.findValue} (${d.sent.failed})`],
        ['served store / find', `${d.served.store} / ${d.served.findValue}`],
        ['republished (failed)', `${d.republished} (${d.republishFailures})`],
      ],
    ],
    [
      'Routed messages',
      [
        ['sent', m.sent],
        ['delivered', m.delivered],
        ['forwarded', m.forwarded],
        ['fallbacks / retries', `${m.fallbacks} / ${m.retries}`],
        ['duplicates', m.duplicates],
        ['rejected', counts(m.rejected)],
      ],
    ],
  ];
  const width = Math.max(...sections.flatMap(([, rows]) => rows.map(([k]) => k.length)));
  const head = `Stats of ${s.name ? `${s.name} ` : ''}${s.nodeId}, up ${(n.uptimeMs / 1000).toFixed(0)} s`;
  const blocks = sections.map(
    ([title, rows]) => `${title}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`,
  );
  return [head, ...blocks].join('\n\n');
}
