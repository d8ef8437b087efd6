import { MaculaError } from '../core/index.js';

/** Why a call failed. Stable, machine-readable. */
export type RpcErrorCode =
  /** A procedure name was malformed (same syntax as a topic: `chat.who`). */
  | 'INVALID_PROCEDURE'
  /** This node already provides that procedure. */
  | 'ALREADY_REGISTERED'
  /** No node of the realm provides that procedure. */
  | 'NO_PROVIDER'
  /** The chosen provider no longer has the procedure (it unregistered meanwhile). */
  | 'UNKNOWN_PROCEDURE'
  /** The remote handler threw: `remoteCode` and the message are the handler's. */
  | 'REMOTE_ERROR'
  /** Every provider tried failed to answer (unreachable); `cause` has the last failure. */
  | 'UNREACHABLE'
  /** The provider is serving as many calls as it allows: try another or later. */
  | 'OVERLOADED';

/** A typed RPC failure. For REMOTE_ERROR, `remoteCode` is the code the handler's error carried. */
export class RpcError extends MaculaError {
  declare readonly code: RpcErrorCode;
  readonly remoteCode: string | undefined;
  readonly provider: string | undefined;
  constructor(
    code: RpcErrorCode,
    message: string,
    options?: { cause?: unknown; remoteCode?: string; provider?: string },
  ) {
    super(code, message, options);
    this.remoteCode = options?.remoteCode;
    this.provider = options?.provider;
  }
}
