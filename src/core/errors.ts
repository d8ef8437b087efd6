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

/**
 * A caller passed a malformed value (node id, realm, topic, URI…). `code` is
 * `INVALID_ARGUMENT` or, from the subclasses, the more specific kind of value.
 */
export class InvalidArgumentError extends MaculaError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'INVALID_ARGUMENT', message, { cause: options?.cause });
  }
}

/** A node id was not 32 bytes / 64 hex characters. Code `INVALID_NODE_ID`. */
export class InvalidNodeIdError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'INVALID_NODE_ID' });
  }
}

/** A realm name was not a valid reverse-DNS name. Code `INVALID_REALM`. */
export class InvalidRealmError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'INVALID_REALM' });
  }
}

/** A topic was malformed. Code `INVALID_TOPIC`. */
export class InvalidTopicError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'INVALID_TOPIC' });
  }
}

/** A `macula://` URI (or the host/port to build one) was malformed. Code `INVALID_URI`. */
export class InvalidUriError extends InvalidArgumentError {
  constructor(message: string) {
    super(message, { code: 'INVALID_URI' });
  }
}

/** Quotes user input for an error message, cut to a readable length. */
export function quoteInput(value: unknown, max = 80): string {
  if (typeof value !== 'string') return `a ${value === null ? 'null' : typeof value}`;
  const s = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(s);
}
