/**
 * Base class of every error Macula throws. `code` is stable and machine-readable;
 * `cause` keeps the underlying error so nothing is lost when errors are wrapped.
 */
export class MaculaError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An operation was cancelled through its AbortSignal or ran past its timeout. */
export class AbortError extends MaculaError {
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** An operation ran past its deadline. */
export class TimeoutError extends MaculaError {
  constructor(message = 'The operation timed out', options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}
