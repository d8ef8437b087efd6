import type { AbortOptions } from '../runtime/index.js';
import type { Balance } from './balancer.js';

/** What a procedure handler gets besides its arguments. */
export interface CallContext {
  /** The caller's node id. */
  caller: string;
  procedure: string;
  /**
   * Aborted when the caller's deadline passes, when the caller cancels, or when this node
   * stops. A handler still running then is no longer waited for (its result is dropped).
   */
  signal: AbortSignal;
}

/** A procedure: its result (any MessagePack value) goes back to the caller; a throw becomes REMOTE_ERROR. */
export type ProcedureHandler<A = unknown, R = unknown> = (args: A, ctx: CallContext) => R | Promise<R>;

/** Options of `node.call`. */
export interface CallOptions extends AbortOptions {
  /** How to choose among providers. Default `round-robin`. */
  balance?: Balance;
  /** Call this provider (node id) only. */
  provider?: string;
}

/** RPC counters. */
export interface RpcStats {
  registered: number;
  calls: number;
  callFailures: number;
  casts: number;
  served: number;
  serveFailures: number;
  /** Calls retried on the next provider after one was unreachable. */
  failovers: number;
  cachedProcedures: number;
}
