/**
 * Brings one system up for the phases: a publisher/requester process and a
 * subscriber/responder process, subscribed, warmed and serving. macula runs in
 * bench/messaging/worker.ts; NATS and libp2p run in our worker.ts (NATS also gets a
 * nats-server of its own).
 */
import { Child, type Message } from '../lib/child.js';
import type { Started } from '../messaging/protocol.js';
import { type NatsServer, startNatsServer } from './nats-server.js';
import {
  type PeerStarted,
  type PeerSystem,
  RPC_NAME,
  type StartPeer,
  type SystemName,
  TOPIC,
} from './protocol.js';

const STEP_MS = 60_000;

export interface Pair {
  pub: Child;
  sub: Child;
  /** How the system is configured, for the meta file. */
  description: string;
  /** NATS only: the broker, whose memory is reported next to (not inside) rss_mb. */
  server?: NatsServer;
  /** Stops everything this setup started. */
  stop(): Promise<void>;
}

/** Sends `m` and waits for the reply of type `reply`. */
export function ask<T extends Message>(c: Child, m: Message, reply: T['type'], ms = STEP_MS): Promise<T> {
  c.send(m);
  return c.next<T>(reply, ms);
}

function pairOf(pub: Child, sub: Child, description: string, server?: NatsServer): Pair {
  return {
    pub,
    sub,
    description,
    ...(server ? { server } : {}),
    async stop() {
      await Promise.all([pub.stop(), sub.stop()]);
      await server?.stop();
    },
  };
}

async function macula(): Promise<Pair> {
  const entry = new URL('../messaging/worker.ts', import.meta.url);
  const pub = new Child(entry, { label: 'macula publisher' });
  const sub = new Child(entry, { label: 'macula subscriber' });
  const pair = pairOf(
    pub,
    sub,
    'bench/messaging/worker.ts: createNode() defaults on 127.0.0.1 (QUIC, mutual TLS), the subscriber bootstraps through the publisher and so holds a direct connection to it; publish() at-most-once; register()/call()',
  );
  try {
    const p = await ask<Started>(pub, { type: 'start', name: 'publisher' }, 'started');
    await ask<Started>(
      sub,
      { type: 'start', name: 'subscriber', bootstrap: [`127.0.0.1:${p.port}`] },
      'started',
    );
    await Promise.all([pub, sub].map((c) => ask(c, { type: 'members', n: 2 }, 'members-ok')));
    await ask(sub, { type: 'subscribe', topic: TOPIC }, 'subscribed');
    // Publishes with ack until the receipt lists the subscriber: the publisher's subscriber list is cached.
    await ask(pub, { type: 'warm', topic: TOPIC, expect: 1 }, 'warmed');
    await ask(sub, { type: 'register', name: RPC_NAME }, 'registered');
    return pair;
  } catch (e) {
    await pair.stop();
    throw e;
  }
}

async function peer(system: PeerSystem, natsBin?: string): Promise<Pair> {
  let server: NatsServer | undefined;
  if (system === 'nats') {
    if (!natsBin) throw new Error('nats: no nats-server binary');
    server = await startNatsServer(natsBin);
  }
  const entry = new URL('./worker.ts', import.meta.url);
  const sub = new Child(entry, { label: `${system} subscriber` });
  const pub = new Child(entry, { label: `${system} publisher` });
  let description = '';
  const pair = pairOf(pub, sub, '', server);
  try {
    const start = (role: StartPeer['role'], target?: string): StartPeer => ({
      type: 'start',
      system,
      role,
      ...(target ? { target } : {}),
    });
    const s = await ask<PeerStarted>(sub, start('sub', server?.url), 'started');
    await ask(sub, { type: 'subscribe', topic: TOPIC }, 'subscribed');
    await ask(sub, { type: 'register', name: RPC_NAME }, 'registered');
    const p = await ask<PeerStarted>(pub, start('pub', server?.url ?? s.address), 'started');
    await ask(pub, { type: 'warm', topic: TOPIC, expect: 1 }, 'warmed');
    description = p.description === s.description ? s.description : `${s.description}; ${p.description}`;
    return { ...pair, description };
  } catch (e) {
    await pair.stop();
    throw e;
  }
}

export function setup(system: SystemName, natsBin?: string): Promise<Pair> {
  return system === 'macula' ? macula() : peer(system, natsBin);
}
