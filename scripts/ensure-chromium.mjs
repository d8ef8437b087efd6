#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium, for the test that opens the load-test
// HTML report in a real browser (playwright-core drives it; it downloads no browser itself).
// Installs it with apt-get when missing, which needs root; otherwise it fails with the command
// to run. Prints the path on success.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    // apt's output goes to stderr: stdout carries only the path.
    const child = spawn(cmd, args, { stdio: ['ignore', 2, 2], env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

async function ensureChromium() {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const how = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium';
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`${CHROMIUM} is missing and this is not a Debian-like system: install Chromium there`);
  }
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; as root, run: ${how}`);
  console.error(
    `[ensure-chromium] ${CHROMIUM} missing: installing Debian's chromium (one time, a few minutes)`,
  );
  await run('apt-get', ['update']);
  await run('apt-get', ['install', '-y', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing`);
  return CHROMIUM;
}

try {
  console.log(await ensureChromium());
} catch (e) {
  console.error(`[ensure-chromium] ${e.message}`);
  process.exit(1);
}
