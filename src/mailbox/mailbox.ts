import { AsyncQueue } from '../runtime/index.js';
import { MailboxError } from './errors.js';
import type { MailHandler, MailMessage } from './types.js';

/**
 * A named mailbox: messages go to its handler, or, without one, into a bounded queue
 * read with `for await`. A full queue refuses the message (the sender gets MAILBOX_FULL)
 * instead of growing: backpressure reaches the sender.
 */
export class Mailbox<T = unknown> implements AsyncIterable<MailMessage<T>> {
  private readonly queue: AsyncQueue<MailMessage<T>> | undefined;
  private closedFlag = false;

  /** @internal Created by the node's `mailbox()`. */
  constructor(
    readonly name: string,
    private readonly handler: MailHandler<T> | undefined,
    capacity: number,
    private readonly onClose: () => void,
  ) {
    if (!handler) this.queue = new AsyncQueue(capacity);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Messages waiting for the reader (0 in handler mode). */
  get pending(): number {
    return this.queue?.size ?? 0;
  }

  /** @internal Hands a message over; rejects with a MailboxError the sender will see. */
  async deliver(message: MailMessage<T>): Promise<void> {
    if (this.handler) {
      try {
        await this.handler(message);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        throw new MailboxError('HANDLER_FAILED', `Mailbox ${this.name}: ${text.slice(0, 500)}`, {
          cause: err,
        });
      }
      return;
    }
    if (!this.queue!.push(message)) {
      throw new MailboxError(
        'MAILBOX_FULL',
        `Mailbox ${this.name} is full (${this.queue!.capacity} waiting)`,
      );
    }
  }

  /** Closes the mailbox: the name is free again and readers drain what is buffered. Idempotent. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.queue?.close();
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterator<MailMessage<T>> {
    if (!this.queue)
      throw new MailboxError('INVALID_NAME', `Mailbox ${this.name} has a handler: it cannot be iterated`);
    return this.queue[Symbol.asyncIterator]();
  }
}
