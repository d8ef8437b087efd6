/**
 * Finds Debian's `nats-server` (installing it with apt-get when missing and we are root) and
 * runs one on a free loopback port for the bench. The server is tracked with the bench's
 * children, so it is killed on success, failure and SIGINT/SIGTERM alike.
 */
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { track } from '../lib/child.js';
import { processRssMiB } from '../lib/memory.js';
import { withTimeout } from '../lib/time.js';

const INSTALL_TIMEOUT_MS = 300_000;

/** PATH first, then where Debian puts it (/usr/sbin is often not on a non-root PATH). */
export function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs.filter((d) => d.length > 0)) {
    const file = join(dir, 'nats-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // Not killed on Ctrl-C: interrupting dpkg half-way could leave the package database locked.
    const p = spawn(cmd, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    p.once('error', reject);
    p.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)),
    );
  });
}

/** The nats-server binary; installs Debian's package first when it is missing and we are root. */
export async function ensureNatsServer(): Promise<string> {
  const found = findNatsServer();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'nats-server is not installed (not on PATH, /usr/sbin or /usr/bin) and we are not root: ' +
        'install it first (Debian/Ubuntu: sudo apt-get install nats-server) or run the bench as root',
    );
  }
  console.log('nats-server not found: apt-get update && apt-get install -y nats-server');
  await withTimeout(
    (async () => {
      await run('apt-get', ['update']);
      await run('apt-get', ['install', '-y', 'nats-server']);
    })(),
    INSTALL_TIMEOUT_MS,
    'installing nats-server',
  );
  const installed = findNatsServer();
  if (!installed) throw new Error('apt-get installed nats-server, but no nats-server binary was found');
  return installed;
}

/** `nats-server --version`, e.g. "nats-server: v2.9.10". */
export function natsServerVersion(bin: string): string {
  return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
}

export interface NatsServer {
  url: string;
  pid: number | undefined;
  rssMiB(): number | null;
  stop(): Promise<void>;
}

/** Starts `bin` on 127.0.0.1 with `-p -1` (the server picks a free port and logs it). */
export async function startNatsServer(bin: string): Promise<NatsServer> {
  const proc = spawn(bin, ['-a', '127.0.0.1', '-p', '-1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  track(proc);
  let log = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        log = (log + chunk.toString()).slice(-4000);
        const m = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log);
        if (m) resolve(Number(m[1]));
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      proc.once('error', reject);
      void exited.then(() => reject(new Error(`nats-server exited: ${log.trim().split('\n').pop()}`)));
    }),
    10_000,
    'nats-server start',
  ).catch((e: unknown) => {
    proc.kill('SIGKILL');
    throw e;
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: proc.pid,
    rssMiB: () => processRssMiB(proc.pid),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await withTimeout(exited, 3_000, 'nats-server stop').catch(() => proc.kill('SIGKILL'));
      await exited;
    },
  };
}
