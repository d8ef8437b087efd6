/**
 * Macula: an encrypted, self-healing peer-to-peer mesh for Node.js over QUIC.
 * This entry point re-exports each layer's public API.
 * @packageDocumentation
 */
export * from './config/index.js';
export * from './core/index.js';
export * from './dht/index.js';
export * from './logging/index.js';
export * from './mailbox/index.js';
export * from './node/index.js';
export * from './protocol/index.js';
export * from './routing/index.js';
export * from './rpc/index.js';
export * from './runtime/index.js';
export * from './security/index.js';
export * from './transport/index.js';
