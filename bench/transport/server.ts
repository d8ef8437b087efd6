/**
 * Child process: runs one implementation's server (echo + sink) until told to stop or the
 * parent goes away. Protocol: parent sends `start`, child answers `ready` with the target.
 */
import { exitWithParent, nextParentMessage, onParentMessage, sendToParent } from '../lib/child.js';
import { errorMessage, withTimeout } from '../lib/time.js';
import type { BenchServer } from './adapter.js';
import { loadAdapter } from './impl/index.js';
import type { StartServer } from './messages.js';
import { serveStream } from './server-logic.js';

exitWithParent();
// A library error on one connection must not take the server down mid-bench.
process.on('uncaughtException', (e) => console.error(`[server] uncaught: ${errorMessage(e)}`));
process.on('unhandledRejection', (e) => console.error(`[server] unhandled rejection: ${errorMessage(e)}`));

let server: BenchServer | undefined;

onParentMessage((m) => {
  if (m.type !== 'stop') return;
  const closing = server ? withTimeout(server.close(), 3000, 'server close') : Promise.resolve();
  closing.catch(() => undefined).finally(() => process.exit(0));
});

const start = await nextParentMessage<StartServer>('start');
try {
  const adapter = await loadAdapter(start.impl);
  server = await adapter.startServer(start.tls, serveStream);
  await sendToParent({ type: 'ready', target: server.target });
} catch (e) {
  await sendToParent({ type: 'error', message: errorMessage(e) });
}
