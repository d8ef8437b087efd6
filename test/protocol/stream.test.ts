import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Frame, FrameType, ProtocolError, readFrames, writeFrame } from '../../src/protocol/index.js';
import { concat, rawHeader } from './helpers.js';

async function* chunks(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

describe('readFrames / writeFrame', () => {
  it('carries frames over a stream in any chunking', async () => {
    const written: Uint8Array[] = [];
    const sink = { write: async (b: Uint8Array) => void written.push(b.slice()) };
    for (let i = 0; i < 5; i++) await writeFrame(sink, FrameType.EVENT, { i });
    const all = concat(written);
    const pieces = [all.subarray(0, 3), all.subarray(3, 20), all.subarray(20)];
    const got: Frame[] = [];
    for await (const f of readFrames(chunks(pieces))) got.push(f);
    assert.deepEqual(
      got.map((f) => f.payload),
      [0, 1, 2, 3, 4].map((i) => ({ i })),
    );
  });

  it('yields the good frames, then throws the ProtocolError', async () => {
    const written: Uint8Array[] = [];
    const sink = { write: async (b: Uint8Array) => void written.push(b.slice()) };
    await writeFrame(sink, FrameType.PING, 1);
    const got: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const f of readFrames(chunks([concat([written[0]!, rawHeader(7, 4, 0, 1)])])))
          got.push(f.payload);
      })(),
      (e) => e instanceof ProtocolError && e.code === 'BAD_VERSION',
    );
    assert.deepEqual(got, [1]);
  });

  it('writeFrame rejects (not throws) on an unencodable frame', async () => {
    const sink = { write: async () => {} };
    const p = writeFrame(sink, 0x99, null);
    await assert.rejects(p, (e) => e instanceof ProtocolError && e.code === 'UNKNOWN_TYPE');
  });
});
