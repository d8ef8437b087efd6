/** Memory helpers. `forceGc` needs the process to run with `--expose-gc`. */
import { readFileSync } from 'node:fs';
import { sleep } from './time.js';

export function gcAvailable(): boolean {
  return typeof globalThis.gc === 'function';
}

/** Runs full GCs a few times with short pauses so finalizers and native frees can run. */
export async function forceGc(rounds = 3): Promise<void> {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('gc() is not exposed: run node with --expose-gc');
  for (let i = 0; i < rounds; i++) {
    gc();
    await sleep(50);
  }
}

/** Resident set size in KiB. */
export function rssKb(): number {
  return process.memoryUsage().rss / 1024;
}

/** Resident set size of another process in MiB, from /proc/<pid>/status (VmRSS); null where that is unreadable (not Linux, gone). */
export function processRssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}
