/**
 * NATS through the `nats` npm client: one client connection per process to the
 * nats-server that run.ts started. Core NATS (no JetStream): at-most-once, like the
 * other systems' pub/sub here.
 */
import { connect, type NatsConnection } from 'nats';
import type { PeerAdapter, Role } from './adapter.js';

/** Publishes between two flushes: a flush (PING/PONG) returns once the server has processed them all. */
const FLUSH_EVERY = 1024;

export async function createNatsAdapter(role: Role, serverUrl: string): Promise<PeerAdapter> {
  const nc: NatsConnection = await connect({ servers: serverUrl, name: `bench-${role}`, noEcho: true });
  let problem: string | undefined;
  void (async () => {
    for await (const s of nc.status()) {
      // The server cuts a client that falls too far behind (slow consumer): say so, don't hide it.
      if (s.type === 'disconnect' || s.type === 'error') problem ??= `${s.type}: ${String(s.data)}`;
    }
  })();
  const check = (): void => {
    if (problem) throw new Error(`nats connection: ${problem}`);
  };
  let sinceFlush = 0;
  return {
    address: '',
    description: `nats client: callback subscriptions, request() with the shared reply-subscription (default), flush() every ${FLUSH_EVERY} publishes during the flood`,
    async subscribe(topic, onMessage) {
      nc.subscribe(topic, { callback: (_err, m) => onMessage(m.data) });
      // Once the PONG is back the server has the SUB: publishes from now on reach us.
      await nc.flush();
    },
    async waitForSubscribers() {
      // The subscriber flushed its SUB before answering run.ts; nothing to wait for.
    },
    publish(topic, data) {
      check();
      nc.publish(topic, data);
      sinceFlush++;
      return undefined;
    },
    async backpressure() {
      if (sinceFlush < FLUSH_EVERY) return;
      sinceFlush = 0;
      await nc.flush();
      check();
    },
    async serve(name, handler) {
      nc.subscribe(name, { callback: (_err, m) => m.respond(handler(m.data)) });
      await nc.flush();
    },
    async request(name, data) {
      const m = await nc.request(name, data, { timeout: 10_000 });
      return m.data;
    },
    async close() {
      await nc.close();
    },
  };
}
