import type { TestContext } from 'node:test';
import type { Connection, Endpoint, EndpointOptions } from '../../../src/transport/index.js';
import { type CertFixtures, certFixtures, type TransportHarness, tls } from '../harness.js';

/** Opens an endpoint that is closed when the test ends, however it ends. */
export async function openEndpoint(
  t: TestContext,
  h: TransportHarness,
  opts: EndpointOptions,
): Promise<Endpoint> {
  const ep = await h.transport.createEndpoint({ ...h.baseOptions, ...opts });
  t.after(() => ep.close(), { timeout: 5_000 });
  return ep;
}

export interface Pair {
  f: CertFixtures;
  server: Endpoint;
  client: Endpoint;
  clientConn: Connection;
  serverConn: Connection;
}

export type PairOptions = {
  server?: Partial<EndpointOptions>;
  client?: Partial<EndpointOptions>;
};

/** Two endpoints with the standard certificates, and one connection between them. */
export async function connectPair(t: TestContext, h: TransportHarness, o: PairOptions = {}): Promise<Pair> {
  const f = await certFixtures();
  const server = await openEndpoint(t, h, { tls: tls(f.server, f.ca), ...o.server });
  const client = await openEndpoint(t, h, { tls: tls(f.client, f.ca), ...o.client });
  // Both sides at once: a dial failure must not leave accept() waiting unobserved.
  const [clientConn, serverConn] = await Promise.all([
    client.dial(server.address, { timeoutMs: 5_000 }),
    server.accept({ timeoutMs: 5_000 }),
  ]);
  return { f, server, client, clientConn, serverConn };
}

/** Collects errors from background tasks so a test can assert none happened. */
export class Tasks {
  readonly errors: unknown[] = [];
  private readonly running = new Set<Promise<unknown>>();

  spawn(p: Promise<unknown>): void {
    const tracked = p.catch((e: unknown) => {
      this.errors.push(e);
    });
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }

  async settled(): Promise<void> {
    await Promise.all(this.running);
  }
}
