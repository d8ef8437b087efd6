import assert from 'node:assert/strict';
import { ProtocolError, type ProtocolErrorCode } from '../../src/protocol/index.js';

/** msgpackr hands binary back as Buffer; compare it as plain Uint8Array. */
export function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** Asserts that `fn` throws a ProtocolError with `code`; returns it. */
export function expectCode(fn: () => unknown, code: ProtocolErrorCode): ProtocolError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof ProtocolError, `expected ProtocolError ${code}, got ${String(thrown)}`);
  assert.equal(thrown.code, code, thrown.message);
  return thrown;
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A header with arbitrary fields (for frames the encoder refuses to build). */
export function rawHeader(version: number, type: number, flags: number, length: number): Uint8Array {
  const h = new Uint8Array(8);
  const v = new DataView(h.buffer);
  v.setUint8(0, version);
  v.setUint8(1, type);
  v.setUint16(2, flags);
  v.setUint32(4, length);
  return h;
}
