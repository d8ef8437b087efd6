export { checkMailboxName, MailboxError, type MailboxErrorCode } from './errors.js';
export { Mailbox } from './mailbox.js';
export { MailboxRegistry } from './registry.js';
export type { MailboxOptions, MailboxStats, MailHandler, MailMessage } from './types.js';
