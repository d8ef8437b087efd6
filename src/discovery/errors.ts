import { MaculaError } from '../core/index.js';

/** Stable, machine-readable codes of {@link DiscoveryError}. */
export type DiscoveryErrorCode =
  /** A configured entry is not `host:port`, `[ipv6]:port` or `macula://host:port`. */
  | 'INVALID_ENTRY'
  /** A host name did not resolve (or resolved to nothing) in time. */
  | 'RESOLVE_FAILED'
  /** No provider returned a candidate for a bootstrap attempt. */
  | 'NO_CANDIDATES'
  /** Nothing to join through: no discovery provider is configured. */
  | 'NO_PROVIDERS'
  /** A bootstrap option is out of range. */
  | 'INVALID_OPTIONS';

/** An error from discovery or bootstrapping; `entry` names the configured entry at fault, if any. */
export class DiscoveryError extends MaculaError {
  declare readonly code: DiscoveryErrorCode;
  /** The configured entry this error is about (as written), when there is one. */
  readonly entry: string | undefined;

  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown; entry?: string }) {
    super(code, message, { cause: options?.cause });
    this.entry = options?.entry;
  }
}
