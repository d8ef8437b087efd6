import { networkInterfaces } from 'node:os';
import type { Address } from '../transport/index.js';

/**
 * The address to announce for a bound one: a wildcard host (`0.0.0.0`, `::`) cannot be
 * dialed by others, so it becomes this machine's first external IPv4 (or loopback).
 */
export function advertiseAddress(bound: Address): Address {
  if (bound.host !== '0.0.0.0' && bound.host !== '::') return bound;
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family === 'IPv4' && !i.internal) return { host: i.address, port: bound.port };
    }
  }
  return { host: '127.0.0.1', port: bound.port };
}
