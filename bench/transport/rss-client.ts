/**
 * Child process (run with --expose-gc): RSS growth per idle client connection, in a fresh
 * process per implementation so nothing else the bench did is in the numbers.
 */
import { exitWithParent, nextParentMessage, sendToParent } from '../lib/child.js';
import { forceGc, rssKb } from '../lib/memory.js';
import { errorMessage, sleep, withTimeout } from '../lib/time.js';
import type { BenchConnection } from './adapter.js';
import { loadAdapter } from './impl/index.js';
import type { RssResult, RunRss } from './messages.js';

exitWithParent();
process.on('uncaughtException', (e) => console.error(`[rss-client] uncaught: ${errorMessage(e)}`));
process.on('unhandledRejection', (e) =>
  console.error(`[rss-client] unhandled rejection: ${errorMessage(e)}`),
);

const run = await nextParentMessage<RunRss>('run');
try {
  const adapter = await loadAdapter(run.impl);
  const client = await adapter.createClient(run.tls);
  // Warm up code paths (and one-time allocations) with one connection, then baseline.
  const warm = await withTimeout(client.connect(run.target), 10_000, 'warm-up connect');
  await withTimeout(warm.close(), 5000, 'warm-up close').catch(() => undefined);
  await sleep(500);
  await forceGc();
  const before = rssKb();
  const memBefore = process.memoryUsage();
  const conns: BenchConnection[] = [];
  for (let i = 0; i < run.connections; i++) {
    conns.push(await withTimeout(client.connect(run.target), 10_000, `connect ${i + 1}`));
  }
  await sleep(run.settleMs);
  await forceGc();
  const after = rssKb();
  const memAfter = process.memoryUsage();
  const perConn = (a: number, b: number): number => (a - b) / 1024 / conns.length;
  const result: RssResult = {
    type: 'result',
    kbPerConnection: (after - before) / conns.length,
    rssBeforeKb: before,
    rssAfterKb: after,
    heapUsedKbPerConnection: perConn(memAfter.heapUsed, memBefore.heapUsed),
    externalKbPerConnection: perConn(memAfter.external, memBefore.external),
    opened: conns.length,
  };
  await sendToParent(result);
  await withTimeout(
    Promise.allSettled(conns.map((c) => c.close())).then(() => client.close()),
    5000,
    'close',
  ).catch(() => undefined);
} catch (e) {
  await sendToParent({ type: 'error', message: errorMessage(e) });
}
process.exit(0);
