/** A message delivered to a mailbox. */
export interface MailMessage<T = unknown> {
  /** Sender's node id (authenticated by the connection when `hops` is 0). */
  from: string;
  /** The mailbox it was sent to. */
  mailbox: string;
  payload: T;
  /** Forwards it took: 0 when it came over a direct connection. */
  hops: number;
  /** The sender, then every node that forwarded it, when the sender asked for the path. */
  path?: string[];
}

/** Called for each message; a throw is reported to the sender as `HANDLER_FAILED`. */
export type MailHandler<T = unknown> = (message: MailMessage<T>) => void | Promise<void>;

/** Options of {@link MailboxRegistry.open}. */
export interface MailboxOptions {
  /** Messages buffered for a reader (async-iterable mode). Full = the sender gets MAILBOX_FULL. Default 1024. */
  capacity?: number;
  /** Closes the mailbox when aborted. */
  signal?: AbortSignal;
}

/** Counters of one node's mailboxes; `rejected` by error code. */
export interface MailboxStats {
  open: number;
  delivered: number;
  rejected: Record<string, number>;
}
