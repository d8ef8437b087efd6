import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Random } from '../../src/runtime/index.js';
import { backoffDelay } from '../../src/runtime/index.js';
import { DEFAULT_REDIAL_BACKOFF as DEFAULT_BACKOFF } from '../../src/topology/index.js';

const fixed = (x: number): Random => ({
  next: () => x,
  int: (max) => Math.floor(x * max),
  bytes: () => new Uint8Array(),
});

describe('backoffDelay', () => {
  it('doubles from 500 ms and caps at 30 s before jitter', () => {
    const none = { ...DEFAULT_BACKOFF, jitter: 0 };
    assert.deepEqual(
      [0, 1, 2, 3, 5, 6, 7, 50].map((n) => backoffDelay(n, none, fixed(0.3))),
      [500, 1000, 2000, 4000, 16_000, 30_000, 30_000, 30_000],
    );
  });

  it('spreads each delay over ±20 %', () => {
    assert.equal(backoffDelay(0, DEFAULT_BACKOFF, fixed(0)), 400);
    assert.equal(backoffDelay(0, DEFAULT_BACKOFF, fixed(0.5)), 500);
    assert.equal(backoffDelay(0, DEFAULT_BACKOFF, fixed(1 - 2 ** -32)), 600);
    assert.equal(backoffDelay(20, DEFAULT_BACKOFF, fixed(0)), 24_000);
    assert.equal(backoffDelay(20, DEFAULT_BACKOFF, fixed(1 - 2 ** -32)), 36_000);
  });
});
