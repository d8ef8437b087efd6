import { isTopic } from '../core/index.js';
import { RpcError } from './errors.js';

/** `name` when it is a valid procedure name (topic syntax: `chat.who`), else RpcError INVALID_PROCEDURE. */
export function checkProcedure(name: unknown): string {
  if (isTopic(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 60)) : typeof name;
  throw new RpcError(
    'INVALID_PROCEDURE',
    `A procedure name is dot-separated segments of A-Z a-z 0-9 _ - (≤ 255 characters), got ${shown}`,
  );
}

/** The DHT key under which providers of `name` announce themselves. */
export function providerKey(name: string): string {
  return `rpc:provider:${name}`;
}
