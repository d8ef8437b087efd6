import { FrameType, readFrames, writeFrame } from '../protocol/index.js';
import type { Stream } from '../transport/index.js';
import {
  type HandshakeChannel,
  HandshakeError,
  type HandshakeErrorCode,
  type HandshakeMessage,
} from './handshake.js';

/**
 * The handshake's messages as frames on the connection's first stream (the control
 * stream): hello = HANDSHAKE, proof = HANDSHAKE_ACK, refusal = ERROR. The same stream
 * then carries the node's control traffic (PING/PONG, HEARTBEAT, CLOSE).
 */
/** Macula frames counted for `node.stats()`. */
export interface FrameCounters {
  sent: number;
  received: number;
}

export function controlChannel(
  stream: Stream,
  counters: FrameCounters,
): HandshakeChannel & { frames: AsyncIterator<{ type: number; payload: unknown }> } {
  const frames = readFrames(stream)[Symbol.asyncIterator]();
  return {
    frames,
    send: async (m) => {
      await writeFrame(stream, typeOf(m), m);
      counters.sent++;
    },
    async receive() {
      const r = await frames.next();
      if (r.done)
        throw new HandshakeError('BAD_HANDSHAKE', 'Peer closed the control stream during the handshake');
      counters.received++;
      return toMessage(r.value.type, r.value.payload);
    },
  };
}

function typeOf(m: HandshakeMessage): number {
  if (m.kind === 'hello') return FrameType.HANDSHAKE;
  if (m.kind === 'proof') return FrameType.HANDSHAKE_ACK;
  return FrameType.ERROR;
}

const CODES = new Set<HandshakeErrorCode>([
  'VERSION_MISMATCH',
  'WRONG_REALM',
  'NODE_ID_MISMATCH',
  'BAD_PROOF',
  'BAD_HANDSHAKE',
  'DUPLICATE_CONNECTION',
  'HANDSHAKE_TIMEOUT',
]);

/** Validates a decoded frame into a handshake message; anything malformed is BAD_HANDSHAKE. */
function toMessage(type: number, payload: unknown): HandshakeMessage {
  const p = payload as Partial<Record<string, unknown>> | null;
  const expected =
    type === FrameType.HANDSHAKE ? 'hello' : type === FrameType.HANDSHAKE_ACK ? 'proof' : 'error';
  if (type !== FrameType.HANDSHAKE && type !== FrameType.HANDSHAKE_ACK && type !== FrameType.ERROR) {
    throw new HandshakeError('BAD_HANDSHAKE', `Unexpected frame type ${type} during the handshake`);
  }
  if (!p || typeof p !== 'object' || p.kind !== expected) {
    throw new HandshakeError('BAD_HANDSHAKE', `Malformed ${expected} frame`);
  }
  if (expected === 'error') {
    const code = CODES.has(p.code as HandshakeErrorCode) ? (p.code as HandshakeErrorCode) : 'BAD_HANDSHAKE';
    return { kind: 'error', code, message: String(p.message ?? '') };
  }
  return p as HandshakeMessage;
}
