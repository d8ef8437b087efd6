import { MaculaError } from '../core/index.js';

/** Why a membership packet or push-pull state was refused (or could not be encoded). */
export type MembershipWireErrorCode =
  /** The first byte is not {@link MEMBERSHIP_MAGIC}: not a membership packet at all. */
  | 'BAD_MAGIC'
  /** A membership wire version this build does not speak. */
  | 'BAD_VERSION'
  /** Not exactly one MessagePack value of the expected shape, or a value out of range. */
  | 'MALFORMED'
  /** Over the packet size limit, or more updates / entries than allowed. */
  | 'TOO_LARGE'
  /** Sent for another realm. */
  | 'WRONG_REALM'
  /** The sender's public key does not hash to the node id it claims. */
  | 'BAD_KEY'
  /** The signature does not verify under the sender's key. */
  | 'BAD_SIGNATURE';

/**
 * A membership packet or sync state violated the wire format. The codecs throw nothing
 * else on bad input, so callers can count rejections per `code`.
 */
export class MembershipWireError extends MaculaError {
  declare readonly code: MembershipWireErrorCode;
  constructor(code: MembershipWireErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Shorthand for the (many) validation failures. */
export function malformed(what: string): MembershipWireError {
  return new MembershipWireError('MALFORMED', what);
}
