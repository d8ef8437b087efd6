/** The peers bench's table (figures and macula's ratios to each other system) and the versions it records. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { repoRoot } from '../lib/child.js';
import { formatCell, renderMarkdownTable, renderTable } from '../lib/table.js';
import { natsServerVersion } from './nats-server.js';
import { FIGURE_KEYS, type Figures, type SystemName } from './protocol.js';

const METRICS: Record<keyof Figures, { unit: string; better: 'higher' | 'lower'; digits: number }> = {
  pubsub_msgs_per_s: { unit: 'msg/s', better: 'higher', digits: 0 },
  latency_us_p50: { unit: 'µs', better: 'lower', digits: 0 },
  latency_us_p99: { unit: 'µs', better: 'lower', digits: 0 },
  reqrep_us_p50: { unit: 'µs', better: 'lower', digits: 0 },
  reqrep_per_s_64: { unit: 'req/s', better: 'higher', digits: 0 },
  rss_mb: { unit: 'MiB', better: 'lower', digits: 1 },
};

export const TABLE_NOTE =
  'Ratios are oriented so that > 1 means macula is better: macula ÷ other where higher is better,\n' +
  'other ÷ macula where lower is better (latencies, RSS). n/a = not measured (the reason is listed below).';

/** macula's advantage over `other` on `key` (> 1 = macula better), or null. */
export function advantage(key: keyof Figures, macula: number | null, other: number | null): number | null {
  if (macula === null || other === null || macula <= 0 || other <= 0) return null;
  return METRICS[key].better === 'higher' ? macula / other : other / macula;
}

export function renderPeersTable(results: Partial<Record<SystemName, Figures>>, markdown = false): string {
  const systems = Object.keys(results) as SystemName[];
  const others = systems.filter((s) => s !== 'macula');
  const withMacula = systems.includes('macula');
  const header = [
    'metric',
    'unit',
    'better',
    ...systems,
    ...(withMacula ? others.map((o) => `macula÷${o}`) : []),
  ];
  const rows = FIGURE_KEYS.map((key) => {
    const m = METRICS[key];
    const ratio = (o: SystemName) => {
      const r = advantage(key, results.macula?.[key] ?? null, results[o]?.[key] ?? null);
      return r === null ? 'n/a' : `${formatCell(r, 2)}×`;
    };
    return [
      key,
      m.unit,
      m.better,
      ...systems.map((s) => formatCell(results[s]?.[key] ?? null, m.digits)),
      ...(withMacula ? others.map(ratio) : []),
    ];
  });
  const align = header.map((_, i) => (i < 3 ? 'left' : 'right') as 'left' | 'right');
  return markdown ? renderMarkdownTable(header, rows, align) : renderTable(header, rows, align);
}

function packageVersion(name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(`${repoRoot}node_modules/${name}/package.json`, 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

/** Versions of everything the bench compares, for the meta file. */
export function versions(natsBin: string | undefined): Record<string, string | null> {
  let natsServer: string | null = null;
  try {
    natsServer = natsBin ? natsServerVersion(natsBin) : null;
  } catch {
    // recorded as null
  }
  let dpkg: string | null = null;
  try {
    // Prints "nats-server<TAB><version>".
    const line = execFileSync('dpkg-query', ['-W', 'nats-server'], { encoding: 'utf8' }).trim();
    dpkg = line.split('\t')[1] ?? null;
  } catch {
    // not a Debian package, or no dpkg
  }
  const root = JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string };
  return {
    macula: root.version,
    node: process.version,
    nats_server: natsServer,
    nats_server_debian_package: dpkg,
    nats_server_binary: natsBin ?? null,
    ...Object.fromEntries(
      [
        'nats',
        'libp2p',
        '@libp2p/gossipsub',
        '@libp2p/tcp',
        '@chainsafe/libp2p-noise',
        '@chainsafe/libp2p-yamux',
        '@chainsafe/libp2p-quic',
        '@libp2p/identify',
        '@matrixai/quic',
      ].map((p) => [p, packageVersion(p)]),
    ),
  };
}
