/**
 * Child process for the handshake bench: one Macula node listening on 127.0.0.1 until told
 * to stop or the parent goes away. Answers `ready` with its address.
 */
import { createNode, generateIdentity, type MaculaNode } from '../../src/index.js';
import { exitWithParent, onParentMessage, sendToParent } from '../lib/child.js';
import { errorMessage, withTimeout } from '../lib/time.js';
import { REALM, type ServerReady } from './handshake.js';

exitWithParent();
process.on('uncaughtException', (e) => console.error(`[handshake server] uncaught: ${errorMessage(e)}`));
process.on('unhandledRejection', (e) =>
  console.error(`[handshake server] unhandled rejection: ${errorMessage(e)}`),
);

let node: MaculaNode | undefined;

onParentMessage((m) => {
  if (m.type !== 'stop') return;
  const closing = node ? withTimeout(node.stop(), 3000, 'server stop') : Promise.resolve();
  closing.catch(() => undefined).finally(() => process.exit(0));
});

try {
  const id = await generateIdentity(REALM);
  node = createNode({
    identity: id,
    name: 'bench-server',
    listen: { host: '127.0.0.1', port: 0 },
  });
  await node.start();
  const ready: ServerReady = { type: 'ready', address: node.address };
  await sendToParent(ready);
} catch (e) {
  await sendToParent({ type: 'error', message: errorMessage(e) });
}
