/**
 * Macula: an encrypted, self-healing peer-to-peer mesh for Node.js over QUIC.
 * This entry point re-exports each layer's public API.
 * @packageDocumentation
 */
export * from './core/index.js';
export * from './runtime/index.js';
export * from './security/index.js';
export * from './transport/index.js';

/** Package version. */
export const version = '0.1.0';
