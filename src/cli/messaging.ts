import type { NodeConfig } from '../config/index.js';
import { MaculaError } from '../core/index.js';
import type { DhtStats } from '../dht/index.js';
import type { MaculaNode, NodeStats, RouterStats } from '../node/index.js';
import type { MatchMode, PublishOptions, PubSubEvent, PubSubStats, Qos } from '../pubsub/index.js';
import type { RpcStats } from '../rpc/index.js';
import { type ControlStream, controlStream } from './control-stream.js';
import { jsonSafe } from './messaging-format.js';

/**
 * The messaging control commands a running `macula start` answers (the node side of
 * `macula publish`, `subscribe`, `call` and `stats`; the client side is
 * messaging-commands.ts). Arguments are control strings: JSON values and options travel
 * as JSON text.
 */
export const MESSAGING_COMMANDS = ['publish', 'subscribe', 'call', 'stats'] as const;
export type MessagingCommand = (typeof MESSAGING_COMMANDS)[number];

export function isMessagingCommand(command: string): command is MessagingCommand {
  return (MESSAGING_COMMANDS as readonly string[]).includes(command);
}

/** `publish <topic> <payload JSON> [options JSON]`: what the publish did. */
export interface PublishAnswer {
  topic: string;
  seq: number;
  /** Remote subscriber nodes it was sent to. */
  subscribers: string[];
  /** Local subscriptions it was delivered to. */
  local: number;
  /** True when published with `ack` (every subscriber acknowledged: it rejects otherwise). */
  acked: boolean;
  retained: boolean;
  /** Names of the subscriber nodes that announced one. */
  names: Record<string, string>;
}

/** `call <name> <args JSON> [options JSON]`: the result as JSON (see `jsonSafe`). */
export interface CallAnswer {
  name: string;
  result: unknown;
  ms: number;
}

/** `stats`: the node's counters by layer. */
export interface StatsAnswer {
  nodeId: string;
  name: string | null;
  node: NodeStats;
  pubsub: PubSubStats;
  rpc: RpcStats;
  dht: DhtStats;
  routed: RouterStats;
}

/** The first line of a `subscribe <pattern> [match]` stream, sent once the subscription is announced. */
export interface SubscribedAnswer {
  pattern: string;
  match: MatchMode;
}

/** One event of a `subscribe` stream: the pub/sub event as JSON, with the publisher's name when known. */
export interface EventLine {
  topic: string;
  payload: unknown;
  publisher: string;
  name?: string;
  seq: number;
  timestamp: number;
  retained?: boolean;
}

const TAKES: Record<MessagingCommand, [min: number, max: number]> = {
  publish: [2, 3],
  subscribe: [1, 2],
  call: [1, 3],
  stats: [0, 0],
};

/** Answers one messaging command (see {@link MESSAGING_COMMANDS}). */
export function messagingAnswer(
  node: MaculaNode,
  config: NodeConfig,
  command: MessagingCommand,
  args: string[],
  signal?: AbortSignal,
): unknown {
  const [min, max] = TAKES[command];
  if (args.length < min || args.length > max) {
    const n = min === max ? `${min}` : `${min} to ${max}`;
    throw new MaculaError(
      'BAD_REQUEST',
      `control command "${command}" takes ${n} argument(s), got ${args.length}`,
    );
  }
  if (command === 'publish') return publish(node, args, signal);
  if (command === 'call') return call(node, args, signal);
  if (command === 'subscribe') return subscribe(node, args, signal);
  return stats(node, config);
}

function json(text: string | undefined, what: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new MaculaError('BAD_REQUEST', `bad request: the ${what} is not JSON`);
  }
}

/** Options JSON: an object with only the `allowed` keys, of the right types. */
function options(text: string | undefined, allowed: Record<string, 'boolean' | 'number' | 'string'>) {
  const o = json(text, 'options') ?? {};
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new MaculaError('BAD_REQUEST', 'bad request: the options must be a JSON object');
  for (const [k, v] of Object.entries(o)) {
    if (allowed[k] === undefined || typeof v !== allowed[k])
      throw new MaculaError('BAD_REQUEST', `bad request: option "${k}" is unknown or of the wrong type`);
  }
  return o as Record<string, unknown>;
}

function names(node: MaculaNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of node.members()) if (m.name) out.set(m.id, m.name);
  return out;
}

async function publish(node: MaculaNode, args: string[], signal?: AbortSignal): Promise<PublishAnswer> {
  const [topic, payload, opts] = args as [string, string, string | undefined];
  const o = options(opts, { qos: 'string', ack: 'boolean', retain: 'boolean', timeoutMs: 'number' });
  const publishOpts: PublishOptions = {
    ...(o.qos !== undefined ? { qos: o.qos as Qos } : {}),
    ...(o.ack ? { ack: true } : {}),
    ...(o.retain ? { retain: true } : {}),
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs as number } : {}),
    ...(signal ? { signal } : {}),
  };
  const r = await node.publish(topic, json(payload, 'payload'), publishOpts);
  const known = names(node);
  const subscriberNames: Record<string, string> = {};
  for (const id of r.subscribers) {
    const name = known.get(id);
    if (name) subscriberNames[id] = name;
  }
  return {
    topic,
    seq: r.seq,
    subscribers: r.subscribers,
    local: r.local,
    acked: o.ack === true,
    retained: o.retain === true,
    names: subscriberNames,
  };
}

async function call(node: MaculaNode, args: string[], signal?: AbortSignal): Promise<CallAnswer> {
  const [name, callArgs, opts] = args as [string, string | undefined, string | undefined];
  const o = options(opts, { timeoutMs: 'number' });
  const t0 = performance.now();
  const result = await node.call(name, json(callArgs, 'argument') ?? null, {
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs as number } : {}),
    ...(signal ? { signal } : {}),
  });
  return { name, result: jsonSafe(result), ms: Math.round((performance.now() - t0) * 1000) / 1000 };
}

const MATCH_MODES: readonly string[] = ['exact', 'prefix', 'wildcard'];

/** Streams the events of a subscription to `pattern` until the client goes away (`signal`). */
function subscribe(node: MaculaNode, args: string[], signal?: AbortSignal): ControlStream {
  const [pattern, match] = args as [string, string | undefined];
  if (match !== undefined && !MATCH_MODES.includes(match))
    throw new MaculaError('BAD_REQUEST', `bad request: match must be one of ${MATCH_MODES.join(', ')}`);
  const sub = node.subscribe(pattern, undefined, {
    ...(match ? { match: match as MatchMode } : {}),
    ...(signal ? { signal } : {}),
  });
  async function* lines(): AsyncGenerator<EventLine> {
    for await (const e of sub) yield eventLine(e, names(node).get(e.publisher));
  }
  const ready = sub.ready.then(
    (): SubscribedAnswer => ({ pattern: sub.pattern.source, match: sub.pattern.match }),
  );
  return controlStream(lines(), ready);
}

export function eventLine(e: PubSubEvent, name?: string): EventLine {
  return {
    topic: e.topic,
    payload: jsonSafe(e.payload),
    publisher: e.publisher,
    ...(name ? { name } : {}),
    seq: e.seq,
    timestamp: e.timestamp,
    ...(e.retained ? { retained: true } : {}),
  };
}

function stats(node: MaculaNode, config: NodeConfig): StatsAnswer {
  return {
    nodeId: node.nodeId,
    name: config.name ?? null,
    node: node.stats(),
    pubsub: node.pubsubStats(),
    rpc: node.rpcStats(),
    dht: node.dht.stats(),
    routed: node.routes().routed,
  };
}
