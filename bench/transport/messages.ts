/** IPC messages between run.ts and its children (server.ts, rss-client.ts). */
import type { Message } from '../lib/child.js';
import type { ImplName, TlsMaterial } from './adapter.js';

export interface StartServer extends Message {
  type: 'start';
  impl: ImplName;
  tls: TlsMaterial;
}

export interface ServerReady extends Message {
  type: 'ready';
  target: string;
}

export interface RunRss extends Message {
  type: 'run';
  impl: ImplName;
  tls: TlsMaterial;
  target: string;
  connections: number;
  settleMs: number;
}

export interface RssResult extends Message {
  type: 'result';
  /** KiB per connection. */
  kbPerConnection: number;
  rssBeforeKb: number;
  rssAfterKb: number;
  /** V8 heap (JS objects) part of the growth, KiB per connection. */
  heapUsedKbPerConnection: number;
  /** Buffers and other off-heap memory V8 knows about, KiB per connection. */
  externalKbPerConnection: number;
  opened: number;
}
