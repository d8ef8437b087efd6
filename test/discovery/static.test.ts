import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, InvalidArgumentError, MaculaError } from '../../src/core/index.js';
import {
  DiscoveryError,
  type DiscoveryProblem,
  parseStaticEntry,
  providersFromConfig,
  staticDiscovery,
  systemResolve,
} from '../../src/discovery/index.js';
import { VirtualClock } from '../../src/runtime/index.js';
import type { Address } from '../../src/transport/index.js';

const HEX = '0123456789abcdef'.repeat(4);

describe('parseStaticEntry', () => {
  const good: [string | Address, Address][] = [
    ['127.0.0.1:4433', { host: '127.0.0.1', port: 4433 }],
    ['  10.0.0.1:1  ', { host: '10.0.0.1', port: 1 }],
    ['seed.example.org:9000', { host: 'seed.example.org', port: 9000 }],
    ['localhost:65535', { host: 'localhost', port: 65535 }],
    ['[::1]:4433', { host: '::1', port: 4433 }],
    ['[fe80::1:2]:80', { host: 'fe80::1:2', port: 80 }],
    ['macula://10.0.0.1:4433', { host: '10.0.0.1', port: 4433 }],
    ['macula://[::1]:4433', { host: '::1', port: 4433 }],
    ['macula://seed.example.org:4433', { host: 'seed.example.org', port: 4433 }],
    [
      { host: '10.0.0.2', port: 4433 },
      { host: '10.0.0.2', port: 4433 },
    ],
    [
      { host: '::1', port: 7 },
      { host: '::1', port: 7 },
    ],
  ];
  for (const [entry, want] of good) {
    it(`parses ${JSON.stringify(entry)}`, () => {
      assert.deepEqual(parseStaticEntry(entry), want);
    });
  }

  const bad: (string | Address)[] = [
    '',
    'seed.example',
    '10.0.0.1:',
    ':4433',
    '10.0.0.1:0',
    '10.0.0.1:65536',
    '10.0.0.1:http',
    '::1:4433',
    '[::1]4433',
    '[::1:4433',
    '[not-v6]:4433',
    'macula://10.0.0.1',
    'macula://a_b.example:1',
    'macula://::1:4433',
    `macula://org.example.mesh/${HEX}`,
    'http://10.0.0.1:4433',
    { host: '', port: 1 },
    { host: '10.0.0.1', port: 1.5 },
    { host: '10.0.0.1', port: 0 },
    { host: '[::1]', port: 1 },
    null as unknown as Address,
  ];
  for (const entry of bad) {
    it(`rejects ${JSON.stringify(entry)} with INVALID_ENTRY`, () => {
      assert.throws(
        () => parseStaticEntry(entry),
        (e: unknown) =>
          e instanceof DiscoveryError &&
          e instanceof MaculaError &&
          e.code === 'INVALID_ENTRY' &&
          /Invalid discovery entry/.test(e.message) &&
          typeof e.entry === 'string',
      );
    });
  }

  it('rejects a bad entry at construction, even among good ones', () => {
    assert.throws(() => staticDiscovery(['10.0.0.1:4433', 'nope']), { code: 'INVALID_ENTRY' });
    assert.throws(
      () => staticDiscovery([], { resolveTimeoutMs: Number.POSITIVE_INFINITY }),
      InvalidArgumentError,
    );
  });
});

/** A resolver over a fixed table that records which names it was asked for. */
function tableResolver(table: Record<string, string[] | Error>) {
  const asked: string[] = [];
  const resolve = async (host: string): Promise<string[]> => {
    asked.push(host);
    const r = table[host];
    if (r === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    if (r instanceof Error) throw r;
    return r;
  };
  return { asked, resolve };
}

describe('staticDiscovery', () => {
  it('returns IP literals without a lookup', async () => {
    const { asked, resolve } = tableResolver({});
    const p = staticDiscovery(['10.0.0.1:4433', '[::1]:4434', { host: '10.0.0.2', port: 1 }], { resolve });
    assert.equal(p.name, 'static');
    assert.deepEqual(await p.discover({}), [
      { host: '10.0.0.1', port: 4433 },
      { host: '::1', port: 4434 },
      { host: '10.0.0.2', port: 1 },
    ]);
    assert.deepEqual(asked, []);
  });

  it('gives one candidate per A record of a name', async () => {
    const { resolve } = tableResolver({ 'seed.example': ['10.0.0.1', '10.0.0.2', 'fd00::3'] });
    const p = staticDiscovery(['macula://seed.example:4433'], { resolve });
    assert.deepEqual(await p.discover({}), [
      { host: '10.0.0.1', port: 4433 },
      { host: '10.0.0.2', port: 4433 },
      { host: 'fd00::3', port: 4433 },
    ]);
  });

  it('skips and reports a name that fails, keeping the rest', async () => {
    const { resolve } = tableResolver({ 'good.example': ['10.0.0.5'], 'empty.example': [] });
    const problems: DiscoveryProblem[] = [];
    const p = staticDiscovery(['bad.example:4433', 'good.example:4433', 'empty.example:1', '10.0.0.9:9'], {
      resolve,
      onProblem: (x) => problems.push(x),
    });
    assert.deepEqual(await p.discover({}), [
      { host: '10.0.0.5', port: 4433 },
      { host: '10.0.0.9', port: 9 },
    ]);
    assert.deepEqual(
      problems.map((x) => [x.provider, x.entry, x.error.code]),
      [
        ['static', 'bad.example:4433', 'RESOLVE_FAILED'],
        ['static', 'empty.example:1', 'RESOLVE_FAILED'],
      ],
    );
    assert.match(problems[0]!.error.message, /ENOTFOUND/);
  });

  it('removes duplicates across entries and records', async () => {
    const { resolve } = tableResolver({ 'a.example': ['10.0.0.1', '10.0.0.2'], 'b.example': ['10.0.0.2'] });
    const p = staticDiscovery(['a.example:1', '10.0.0.1:1', 'b.example:1', 'A.EXAMPLE:1', 'b.example:2'], {
      resolve,
    });
    assert.deepEqual(await p.discover({}), [
      { host: '10.0.0.1', port: 1 },
      { host: '10.0.0.2', port: 1 },
      { host: '10.0.0.2', port: 2 },
    ]);
  });

  it('skips a name whose lookup hangs past resolveTimeoutMs', async () => {
    const clock = new VirtualClock();
    const problems: DiscoveryProblem[] = [];
    const resolve = (host: string) =>
      host === 'slow.example' ? new Promise<string[]>(() => {}) : Promise.resolve(['10.0.0.7']);
    const p = staticDiscovery(['slow.example:1', 'fast.example:1'], {
      resolve,
      clock,
      resolveTimeoutMs: 1000,
      onProblem: (x) => problems.push(x),
    });
    const result = p.discover({});
    await clock.advance(1000);
    assert.deepEqual(await result, [{ host: '10.0.0.7', port: 1 }]);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.error.message, /timed out/);
  });

  it('rejects with AbortError when the whole discovery is aborted', async () => {
    const ctl = new AbortController();
    const p = staticDiscovery(['slow.example:1'], { resolve: () => new Promise<string[]>(() => {}) });
    const result = p.discover({ signal: ctl.signal });
    ctl.abort();
    await assert.rejects(result, AbortError);
  });

  it('resolves localhost with the system resolver', async () => {
    const ips = await systemResolve('localhost', {});
    assert.ok(ips.length > 0);
    assert.ok(
      ips.some((ip) => ip === '127.0.0.1' || ip === '::1'),
      ips.join(','),
    );
  });
});

describe('providersFromConfig', () => {
  it('gives no provider for an empty staticNodes list (first node of a mesh)', () => {
    assert.deepEqual(providersFromConfig({ methods: ['static'], staticNodes: [] }), []);
  });

  it('gives a static provider for static nodes and skips unimplemented methods', async () => {
    const warned: object[] = [];
    const logger = { debug() {}, info() {}, warn: (o: object) => warned.push(o) };
    const providers = providersFromConfig(
      { methods: ['static', 'mdns', 'static'], staticNodes: ['10.0.0.1:4433'] },
      { logger },
    );
    assert.deepEqual(
      providers.map((p) => p.name),
      ['static'],
    );
    assert.deepEqual(await providers[0]!.discover({}), [{ host: '10.0.0.1', port: 4433 }]);
    assert.deepEqual(warned, [{ method: 'mdns' }]);
  });
});
