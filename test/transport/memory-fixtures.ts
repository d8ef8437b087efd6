// Shared set-up for the in-memory transport tests (memory-*.test.ts).
import { SeededRandom, VirtualClock } from '../../src/runtime/index.js';
import {
  type CertificateAuthority,
  type CertificateBundle,
  createCertificateAuthority,
  issueCertificate,
} from '../../src/security/index.js';
import { type LinkConditions, MemoryNetwork } from '../../src/transport/memory/index.js';
import type { Endpoint, EndpointOptions, TlsOptions } from '../../src/transport/types.js';

export interface Pki {
  ca: CertificateAuthority;
  alice: CertificateBundle;
  bob: CertificateBundle;
}

let cached: Promise<Pki> | undefined;

/** One CA and two leaf certificates, made once per test process. */
export function pki(): Promise<Pki> {
  cached ??= (async () => {
    const ca = await createCertificateAuthority({ commonName: 'memory test CA' });
    const alice = await issueCertificate({ commonName: 'alice' }, ca);
    const bob = await issueCertificate({ commonName: 'bob' }, ca);
    return { ca, alice, bob };
  })();
  return cached;
}

export function tls(b: CertificateBundle, ca?: CertificateAuthority): TlsOptions {
  return ca ? { cert: b.cert, key: b.key, ca: ca.cert } : { cert: b.cert, key: b.key };
}

/** A network on a VirtualClock with a seeded Random. */
export function virtualNet(
  conditions: LinkConditions = {},
  seed = 1,
): { net: MemoryNetwork; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { net: new MemoryNetwork({ clock, random: new SeededRandom(seed), ...conditions }), clock };
}

/**
 * Advances virtual time in `stepMs` steps until `p` settles (or `limitMs` of virtual time
 * passed, which fails). Returns p's outcome.
 */
export async function runUntil<T>(
  clock: VirtualClock,
  p: Promise<T>,
  limitMs = 120_000,
  stepMs = 1,
): Promise<T> {
  let settled = false;
  p.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  const end = clock.now() + limitMs;
  await clock.advance(0);
  while (!settled && clock.now() < end) await clock.advance(stepMs);
  if (!settled) throw new Error(`still pending after ${limitMs} ms of virtual time`);
  return p;
}

/** Two endpoints (alice, bob) on `net`, both trusting the test CA. */
export async function pair(
  net: MemoryNetwork,
  extra: Partial<EndpointOptions> = {},
): Promise<{ a: Endpoint; b: Endpoint; p: Pki }> {
  const p = await pki();
  const a = await net.createEndpoint({ host: 'a', tls: tls(p.alice, p.ca), ...extra });
  const b = await net.createEndpoint({ host: 'b', tls: tls(p.bob, p.ca), ...extra });
  return { a, b, p };
}
