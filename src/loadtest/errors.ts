import { MaculaError } from '../core/index.js';

export type LoadtestErrorCode =
  /** The options do not make a runnable load test (message says which and why). */
  | 'INVALID_OPTIONS'
  /** The transport cannot inject this fault. */
  | 'UNSUPPORTED_FAULT'
  /** The nodes did not all see each other alive in time. */
  | 'FORMATION_TIMEOUT'
  /** A warm-up (subscribers found, providers reachable) did not finish in time. */
  | 'WARMUP_TIMEOUT'
  /** A node's child process failed or exited. */
  | 'WORKER_FAILED'
  /** A command sent to a node failed (the node's error is the cause). */
  | 'AGENT_FAILED';

/** Every failure of `runLoadtest` that is not an abort: a stable `code`, the original error as `cause`. */
export class LoadtestError extends MaculaError {
  declare readonly code: LoadtestErrorCode;
  constructor(code: LoadtestErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
