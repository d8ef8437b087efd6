import { createHash } from 'node:crypto';
import type { Stream } from '../../src/transport/index.js';

/** Reads a stream to its FIN and returns everything as one buffer. */
export async function readAll(s: Stream, limit = 1 << 30): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of s) {
    chunks.push(c);
    n += c.byteLength;
    if (n > limit) throw new Error(`stream sent more than ${limit} bytes`);
  }
  return Buffer.concat(chunks);
}

/** Echoes a stream back to its peer: reads to FIN, then writes everything and ends. */
export async function echo(s: Stream): Promise<void> {
  await s.end(await readAll(s));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function sha256(): { update(b: Uint8Array): void; digest(): string } {
  const h = createHash('sha256');
  return { update: (b) => h.update(b), digest: () => h.digest('hex') };
}

/** A deterministic, index-tagged payload: stream i carries different bytes than stream j. */
export function tagged(i: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let k = 0; k < len; k++) b[k] = (i * 31 + k * 7) & 0xff;
  if (len >= 4) b.writeUInt32BE(i, 0);
  return b;
}
