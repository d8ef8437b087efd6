import type { LogLevel } from '../logging/index.js';

/** Ways a node finds its first peers. Only `static` is implemented today. */
export const DISCOVERY_METHODS = ['static', 'mdns', 'dns', 'consul', 'kubernetes'] as const;
/** A discovery method name. */
export type DiscoveryMethod = (typeof DISCOVERY_METHODS)[number];

/** Paths of the PEM files of a node's certificate, its key and the realm CA. */
export interface CertFiles {
  ca: string;
  cert: string;
  key: string;
}

/** A node's validated options; {@link resolveConfig} fills every default. */
export interface NodeConfig {
  /** Human label shown in logs. The node id itself derives from the node's key. */
  name?: string;
  /** The mesh this node joins, reverse-DNS style: `org.example.mesh`. */
  realm: string;
  /** Local UDP address to bind. Defaults `0.0.0.0:4433`; port 0 picks a free port. */
  listen: { host: string; port: number };
  /** How to find peers. Defaults `{ methods: ['static'], staticNodes: [] }`. */
  discovery: { methods: DiscoveryMethod[]; staticNodes: string[] };
  /** Mesh shape: each node keeps `k` peers (default 2). */
  topology: { type: 'k-regular'; k: number };
  /** `auto` (default) generates a self-signed identity under `dataDir`; else PEM file paths. */
  cert: 'auto' | CertFiles;
  /** Where the node keeps its key, certificates and state. Default `.macula`. */
  dataDir: string;
  /** Minimum log level. Default `info`. */
  logLevel: LogLevel;
}

/** Every property optional, recursively; arrays are replaced whole, not merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
