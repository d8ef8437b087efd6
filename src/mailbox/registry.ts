import { bump } from '../core/index.js';
import { checkMailboxName, MailboxError } from './errors.js';
import { Mailbox } from './mailbox.js';
import type { MailboxOptions, MailboxStats, MailHandler, MailMessage } from './types.js';

const DEFAULT_CAPACITY = 1024;

/** The open mailboxes of one node, by name. */
export class MailboxRegistry {
  private readonly boxes = new Map<string, Mailbox<unknown>>();
  private readonly counters = { delivered: 0, rejected: {} as Record<string, number> };

  /** Opens mailbox `name` (handler mode when `handler` is given, else async-iterable mode). */
  open<T = unknown>(name: string, handler?: MailHandler<T>, opts: MailboxOptions = {}): Mailbox<T> {
    checkMailboxName(name);
    if (this.boxes.has(name)) throw new MailboxError('ALREADY_REGISTERED', `Mailbox ${name} is already open`);
    const capacity = opts.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    const box: Mailbox<T> = new Mailbox<T>(name, handler, capacity, () => {
      if (this.boxes.get(name) === (box as Mailbox<unknown>)) this.boxes.delete(name);
    });
    this.boxes.set(name, box as Mailbox<unknown>);
    if (opts.signal) {
      if (opts.signal.aborted) box.close();
      else opts.signal.addEventListener('abort', () => box.close(), { once: true });
    }
    return box;
  }

  /** Delivers to the named mailbox; rejects with the MailboxError the sender should see. */
  async deliver(message: MailMessage): Promise<void> {
    try {
      const box = this.boxes.get(message.mailbox);
      if (!box) throw new MailboxError('NO_MAILBOX', `No mailbox named ${message.mailbox.slice(0, 128)}`);
      await box.deliver(message);
      this.counters.delivered++;
    } catch (err) {
      bump(this.counters.rejected, err instanceof MailboxError ? err.code : 'ERROR');
      throw err;
    }
  }

  /** Closes every mailbox (node stop). */
  closeAll(): void {
    for (const box of [...this.boxes.values()]) box.close();
  }

  stats(): MailboxStats {
    return {
      open: this.boxes.size,
      delivered: this.counters.delivered,
      rejected: { ...this.counters.rejected },
    };
  }
}
