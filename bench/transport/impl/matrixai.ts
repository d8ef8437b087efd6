/**
 * matrixai: the high-level API of @matrixai/quic (QUICServer / QUICClient / QUICStream with
 * web streams). Mutual TLS with the run's Ed25519 CA (server requests and verifies the client
 * certificate, the client verifies the server's against the CA and the name `localhost`).
 * Client connections share one QUICSocket, like a p2p node would (the library's "injected"
 * mode). initialMaxStreamsBidi 1024 (default 100). Logging at WARN (its INFO logs every stream). Library defaults otherwise.
 */
import { webcrypto } from 'node:crypto';
import Logger, { LogLevel } from '@matrixai/logger';
import { events, QUICClient, QUICServer, QUICSocket, type QUICStream } from '@matrixai/quic';
import type { BenchClient, BenchStream, TransportAdapter } from '../adapter.js';
import { readKindHeader, withKindHeader } from '../framing.js';
import { parseHostPort } from './macula.js';

/** Warnings only: the library logs every stream at INFO, which would cost it time in the bench. */
const logger = new Logger('bench', LogLevel.WARN);

/**
 * Concurrent bidi streams a peer may open: the default is 100 and `newStream` throws past it
 * instead of waiting, so it is raised to macula's default (1024) for the 1000-stream test.
 */
const STREAM_LIMIT = 1024;

const HMAC = { name: 'HMAC', hash: 'SHA-256' } as const;

/** Server crypto: HMAC-SHA256 for retry tokens, as in the library's own tests. */
async function serverCrypto() {
  const secret = (await webcrypto.subtle.generateKey(HMAC, true, ['sign', 'verify'])) as webcrypto.CryptoKey;
  const key = await webcrypto.subtle.exportKey('raw', secret);
  const importKey = (raw: ArrayBuffer) =>
    webcrypto.subtle.importKey('raw', raw, HMAC, false, ['sign', 'verify']);
  return {
    key,
    ops: {
      sign: async (k: ArrayBuffer, data: ArrayBuffer) =>
        webcrypto.subtle.sign('HMAC', await importKey(k), data),
      verify: async (k: ArrayBuffer, data: ArrayBuffer, sig: ArrayBuffer) =>
        webcrypto.subtle.verify('HMAC', await importKey(k), sig, data),
    },
  };
}

const clientCrypto = {
  ops: {
    randomBytes: async (data: ArrayBuffer): Promise<void> => {
      webcrypto.getRandomValues(new Uint8Array(data));
    },
  },
};

function wrapStream(s: QUICStream): BenchStream {
  const reader = s.readable.getReader();
  const writer = s.writable.getWriter();
  let writeError: unknown;
  return {
    async write(data) {
      if (writeError !== undefined) throw writeError;
      // Wait for the web stream's backpressure, then queue without awaiting the sink.
      await writer.ready;
      writer.write(data).catch((e: unknown) => {
        writeError ??= e;
      });
    },
    async read() {
      const r = await reader.read();
      return r.done ? null : r.value;
    },
    async end() {
      if (writeError !== undefined) throw writeError;
      await writer.close();
    },
    abort() {
      try {
        s.cancel(new Error('aborted'));
      } catch {
        // already closed
      }
    },
  };
}

export const matrixai: TransportAdapter = {
  name: 'matrixai',
  description:
    '@matrixai/quic 2.0.9 high-level API; mutual TLS (Ed25519 CA, server verifyPeer + client verifies CA and name); clients share one QUICSocket; initialMaxStreamsBidi 1024 (default 100, newStream throws past it); logging at WARN; library defaults otherwise',

  async startServer(tls, handler) {
    const server = new QUICServer({
      crypto: await serverCrypto(),
      config: {
        key: tls.server.key,
        cert: tls.server.cert,
        ca: tls.ca,
        verifyPeer: true,
        initialMaxStreamsBidi: STREAM_LIMIT,
      },
      logger,
    });
    server.addEventListener(events.EventQUICServerConnection.name, (evt: Event) => {
      const conn = (evt as events.EventQUICServerConnection).detail;
      conn.addEventListener(events.EventQUICConnectionStream.name, (e: Event) => {
        const raw = wrapStream((e as events.EventQUICConnectionStream).detail);
        readKindHeader(raw)
          .then((tagged) => {
            if (tagged) handler(tagged.kind, tagged.stream);
          })
          .catch(() => raw.abort());
      });
    });
    await server.start({ host: '127.0.0.1', port: 0 });
    return {
      target: `127.0.0.1:${server.port}`,
      close: () => server.stop({ force: true }),
    };
  },

  async createClient(tls): Promise<BenchClient> {
    const socket = new QUICSocket({ logger });
    await socket.start({ host: '127.0.0.1', port: 0 });
    const clients = new Set<QUICClient>();
    return {
      async connect(target) {
        const { host, port } = parseHostPort(target);
        const client = await QUICClient.createQUICClient({
          host,
          port,
          serverName: tls.serverName,
          socket,
          crypto: clientCrypto,
          config: {
            key: tls.client.key,
            cert: tls.client.cert,
            ca: tls.ca,
            verifyPeer: true,
            initialMaxStreamsBidi: STREAM_LIMIT,
          },
          logger,
        });
        clients.add(client);
        return {
          openStream: async (kind) => withKindHeader(wrapStream(client.connection.newStream('bidi')), kind),
          async close() {
            clients.delete(client);
            await client.destroy({ force: true });
          },
        };
      },
      async close() {
        await Promise.allSettled([...clients].map((c) => c.destroy({ force: true })));
        clients.clear();
        await socket.stop({ force: true });
      },
    };
  },
};
