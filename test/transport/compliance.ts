import { after, describe } from 'node:test';
import { bulkTests } from './compliance/bulk.js';
import { datagramTests } from './compliance/datagrams.js';
import { lifecycleTests } from './compliance/lifecycle.js';
import { miscTests } from './compliance/misc.js';
import { streamTests } from './compliance/streams.js';
import { tlsTests } from './compliance/tls.js';
import type { TransportHarness } from './harness.js';

/**
 * The behaviour every transport must share, registered as node:test suites. Run it once
 * per transport (see compliance-*.test.ts); a test that passes on one and fails on the
 * other is a bug in the one that fails, or a gap in the contract.
 */
export function runTransportCompliance(h: TransportHarness): void {
  describe(`transport compliance: ${h.name}`, () => {
    after(() => h.dispose?.());
    streamTests(h);
    bulkTests(h);
    lifecycleTests(h);
    datagramTests(h);
    tlsTests(h);
    miscTests(h);
  });
}
