/** What the server does with each stream, for every implementation. */
import type { BenchStream, StreamKind } from './adapter.js';

const encoder = new TextEncoder();

/** echo: returns every chunk, then FIN after the client's FIN. */
async function echo(stream: BenchStream): Promise<void> {
  for (;;) {
    const chunk = await stream.read();
    if (chunk === null) break;
    await stream.write(chunk);
  }
  await stream.end();
}

/** sink: counts bytes until the client's FIN, then replies with the count in ASCII decimal and FIN. */
async function sink(stream: BenchStream): Promise<void> {
  let bytes = 0;
  for (;;) {
    const chunk = await stream.read();
    if (chunk === null) break;
    bytes += chunk.length;
  }
  await stream.write(encoder.encode(String(bytes)));
  await stream.end();
}

/** Serves one stream; errors (a client that went away) abort the stream and are otherwise ignored. */
export function serveStream(kind: StreamKind, stream: BenchStream): void {
  const run = kind === 'echo' ? echo(stream) : sink(stream);
  run.catch(() => stream.abort());
}
