export { HandshakeError, runHandshake } from './handshake.js';
export { CLOSE, MaculaNode, VERSION } from './node.js';
export type { NodeEvents, NodeOptions, NodeStats, PeerSummary } from './types.js';

import { MaculaNode } from './node.js';
import type { NodeOptions } from './types.js';

/** Creates a node (not yet started: call `start()`). */
export function createNode(options: NodeOptions): MaculaNode {
  return new MaculaNode(options);
}
