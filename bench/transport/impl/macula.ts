/**
 * macula: our QUIC transport (src/transport/quic), written against the Transport contract.
 * Mutual TLS with the run's Ed25519 CA on both sides, default endpoint options.
 */
import type { Address, Connection, Endpoint, Stream, Transport } from '../../../src/transport/types.js';
import type { BenchClient, BenchConnection, BenchStream, TransportAdapter } from '../adapter.js';
import { readKindHeader, withKindHeader } from '../framing.js';

/** A variable, so the typecheck does not need the module to exist yet. */
const QUIC_MODULE = '../../../src/transport/quic/index.js';

async function loadTransport(): Promise<Transport> {
  const mod: unknown = await import(QUIC_MODULE);
  const create = (mod as { createQuicTransport?: unknown } | null)?.createQuicTransport;
  if (typeof create !== 'function')
    throw new Error('src/transport/quic/index.ts does not export createQuicTransport()');
  return (create as () => Transport)();
}

function wrapStream(s: Stream): BenchStream {
  return {
    write: (data) => s.write(data),
    read: () => s.read(),
    end: () => s.end(),
    abort: () => {
      try {
        s.reset(0);
      } catch {
        // already closed
      }
    },
  };
}

export function parseHostPort(target: string): Address {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i), port: Number(target.slice(i + 1)) };
}

function wrapConnection(conn: Connection): BenchConnection {
  return {
    resumed: conn.resumed,
    openStream: async (kind) => withKindHeader(wrapStream(await conn.openStream()), kind),
    close: () => conn.close(),
  };
}

export const macula: TransportAdapter = {
  name: 'macula',
  description:
    'createQuicTransport() from src/transport/quic; mutual TLS (Ed25519 CA) both sides; default endpoint options',

  async startServer(tls, handler) {
    const transport = await loadTransport();
    const endpoint: Endpoint = await transport.createEndpoint({
      host: '127.0.0.1',
      port: 0,
      tls: { cert: tls.server.cert, key: tls.server.key, ca: tls.ca },
    });
    endpoint.onConnection((conn) => {
      conn.onStream((s) => {
        const raw = wrapStream(s);
        readKindHeader(raw)
          .then((tagged) => {
            if (tagged) handler(tagged.kind, tagged.stream);
          })
          .catch(() => raw.abort());
      });
    });
    return {
      target: `${endpoint.address.host}:${endpoint.address.port}`,
      close: () => endpoint.close(),
    };
  },

  async createClient(tls): Promise<BenchClient> {
    const transport = await loadTransport();
    const endpoint = await transport.createEndpoint({
      host: '127.0.0.1',
      port: 0,
      acceptIncoming: false,
      tls: { cert: tls.client.cert, key: tls.client.key, ca: tls.ca },
    });
    return {
      connect: async (target) =>
        wrapConnection(await endpoint.dial(parseHostPort(target), { serverName: tls.serverName })),
      close: () => endpoint.close(),
    };
  },
};
