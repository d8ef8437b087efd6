export type { NodeDht } from './dht.js';
export { HandshakeError, runHandshake } from './handshake.js';
export type { DownReason, NodeDown } from './monitors.js';
export { CLOSE, MaculaNode, VERSION } from './node.js';
export type { NodePubSubOptions } from './pubsub.js';
export type { Subscription } from './pubsub-local.js';
export { RequestFailedError } from './requests.js';
export type { RouteOptions, RouteReceipt, RouterStats } from './router.js';
export type { RoutesSummary } from './routes-summary.js';
export type { RoutingOptions } from './routing.js';
export type { NodeDhtOptions } from './services.js';
export type { NodeEvents, NodeOptions, NodeStats, PeerSummary } from './types.js';

import { MaculaNode } from './node.js';
import type { NodeOptions } from './types.js';

/** Creates a node (not yet started: call `start()`). */
export function createNode(options: NodeOptions): MaculaNode {
  return new MaculaNode(options);
}
