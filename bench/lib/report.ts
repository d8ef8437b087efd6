/**
 * Writes a bench's results the way every bench does: `bench/results/<name>.json` (the
 * figures) and `<name>.meta.json` (the machine, the load at the start and the end, the
 * duration and the command, then whatever else the bench records).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { repoRoot } from './child.js';
import type { MachineInfo } from './machine.js';
import { round } from './stats.js';
import { nowMs } from './time.js';

export const RESULTS_DIR = `${repoRoot}bench/results`;

/** Writes `value` as indented JSON to bench/results/`file`; returns the path from the repository root. */
export function writeResultFile(file: string, value: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}/${file}`, `${JSON.stringify(value, null, 2)}\n`);
  return `bench/results/${file}`;
}

/** The meta record: `machine` (taken at the start), then the end-of-run fields, then `extra`. */
export function metaRecord(
  machine: MachineInfo,
  startedAtMs: number,
  command: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...machine,
    load_average_at_end: os.loadavg().map((l) => round(l, 2)),
    duration_s: round((nowMs() - startedAtMs) / 1000, 1),
    command,
    ...extra,
  };
}

/** Writes `<name>.json` and `<name>.meta.json`; returns the meta record. */
export function writeResults(
  name: string,
  results: unknown,
  machine: MachineInfo,
  startedAtMs: number,
  command: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  writeResultFile(`${name}.json`, results);
  const meta = metaRecord(machine, startedAtMs, command, extra);
  writeResultFile(`${name}.meta.json`, meta);
  return meta;
}
