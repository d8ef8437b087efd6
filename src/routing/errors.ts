import { MaculaError } from '../core/index.js';

/** Why a routing operation was refused. Stable, machine-readable. */
export type RoutingErrorCode =
  /** A node id was not 64 lowercase hex characters. */
  | 'INVALID_ID'
  /** A routed envelope was malformed (bad message id, hop counts, path). */
  | 'INVALID_ENVELOPE'
  /** No peer answered a lookup (or there was nobody to ask). */
  | 'LOOKUP_FAILED'
  /** A routed message used up its hop limit. */
  | 'HOP_LIMIT'
  /** A routed message came back to a node that already handled it. */
  | 'LOOP'
  /** No connected neighbour is closer to the destination. */
  | 'NO_ROUTE';

/** A typed routing failure; `code` says which rule was broken. */
export class RoutingError extends MaculaError {
  declare readonly code: RoutingErrorCode;
  constructor(code: RoutingErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export { bump } from '../core/index.js';
