import { MaculaError } from '../core/index.js';

/** Why a direct message was refused. Stable, machine-readable. */
export type MailboxErrorCode =
  /** A mailbox name was not 1–128 printable characters. */
  | 'INVALID_NAME'
  /** This node already has an open mailbox of that name. */
  | 'ALREADY_REGISTERED'
  /** The destination node has no open mailbox of that name. */
  | 'NO_MAILBOX'
  /** The mailbox's queue is full: its reader is behind (the sender may retry later). */
  | 'MAILBOX_FULL'
  /** The mailbox's handler threw; the message is the handler's. */
  | 'HANDLER_FAILED';

/** A typed mailbox failure, raised locally or carried back to the sender. */
export class MailboxError extends MaculaError {
  declare readonly code: MailboxErrorCode;
  constructor(code: MailboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

const NAME = /^[\x21-\x7e]{1,128}$/;

/** `name` when it is 1–128 printable ASCII characters without spaces, else `MailboxError('INVALID_NAME')`. */
export function checkMailboxName(name: unknown): string {
  if (typeof name === 'string' && NAME.test(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : typeof name;
  throw new MailboxError('INVALID_NAME', `A mailbox name is 1–128 printable characters, got ${shown}`);
}
