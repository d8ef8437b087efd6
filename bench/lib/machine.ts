/** Describes the machine a bench ran on, for results `*.meta.json` files. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { repoRoot } from './child.js';

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  os: string;
  node_version: string;
  date: string;
  git_commit: string | null;
  git_dirty: boolean | null;
  load_average_at_start: number[];
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const status = git(['status', '--porcelain']);
  return {
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node_version: process.version,
    date: new Date().toISOString(),
    git_commit: git(['rev-parse', 'HEAD']),
    git_dirty: status === null ? null : status.length > 0,
    load_average_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
