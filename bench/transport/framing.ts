/**
 * Stream helpers. Raw QUIC implementations (no protocol negotiation) tag each stream with a
 * one-byte kind header, sent together with the first write; libp2p negotiates a protocol id
 * instead and does not use this.
 */
import type { BenchStream, StreamKind } from './adapter.js';

const KIND_BYTE: Record<StreamKind, number> = { echo: 0x45, sink: 0x53 };

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Client side: prefixes the first write (or the FIN) with the kind byte. */
export function withKindHeader(stream: BenchStream, kind: StreamKind): BenchStream {
  let header: Uint8Array | null = Uint8Array.of(KIND_BYTE[kind]);
  return {
    write(data) {
      if (header === null) return stream.write(data);
      const first = concat(header, data);
      header = null;
      return stream.write(first);
    },
    read: () => stream.read(),
    async end() {
      if (header !== null) {
        const h = header;
        header = null;
        await stream.write(h);
      }
      return stream.end();
    },
    abort: () => stream.abort(),
  };
}

/** Server side: reads the kind byte; the returned stream yields the rest of the first chunk first. */
export async function readKindHeader(
  stream: BenchStream,
): Promise<{ kind: StreamKind; stream: BenchStream } | null> {
  let first = await stream.read();
  while (first !== null && first.length === 0) first = await stream.read();
  if (first === null) return null;
  const byte = first[0];
  const kind = byte === KIND_BYTE.echo ? 'echo' : byte === KIND_BYTE.sink ? 'sink' : null;
  if (kind === null) throw new Error(`unknown stream kind byte ${String(byte)}`);
  let rest: Uint8Array | null = first.length > 1 ? first.subarray(1) : null;
  return {
    kind,
    stream: {
      write: (data) => stream.write(data),
      read() {
        if (rest !== null) {
          const r = rest;
          rest = null;
          return Promise.resolve(r);
        }
        return stream.read();
      },
      end: () => stream.end(),
      abort: () => stream.abort(),
    },
  };
}

/** Reads until `n` bytes have arrived (keeps any excess for the next call). */
export class ByteReader {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(private readonly stream: BenchStream) {}

  /** Reads exactly `n` bytes; rejects if the stream ends first. */
  async readExactly(n: number): Promise<Uint8Array> {
    while (this.pendingBytes < n) {
      const chunk = await this.stream.read();
      if (chunk === null) throw new Error(`stream ended after ${this.pendingBytes} of ${n} bytes`);
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const head = this.pending[0]!;
      const take = Math.min(head.length, n - off);
      out.set(head.subarray(0, take), off);
      off += take;
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
    }
    this.pendingBytes -= n;
    return out;
  }

  /** Reads everything up to the peer's FIN. */
  async readToEnd(): Promise<Uint8Array> {
    for (;;) {
      const chunk = await this.stream.read();
      if (chunk === null) break;
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
    }
    const out = new Uint8Array(this.pendingBytes);
    let off = 0;
    for (const c of this.pending) {
      out.set(c, off);
      off += c.length;
    }
    this.pending = [];
    this.pendingBytes = 0;
    return out;
  }
}
