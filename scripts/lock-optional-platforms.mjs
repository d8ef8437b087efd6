#!/usr/bin/env node
// The registry reachable here serves only the Linux builds of packages that ship one
// binary package per platform (Biome, quiche, libp2p-quic), so `npm install` cannot put
// the other platforms' optional packages in package-lock.json, and `npm ci` then refuses
// the lock as out of sync. This adds a lock entry for each such optional package (name,
// version, optional, and the os/cpu its name encodes) so `npm ci` accepts the lock; npm
// never fetches them on a platform they do not match. Run after `npm install` changes
// the lock: `node scripts/lock-optional-platforms.mjs`. With `--check` it changes nothing
// and fails when entries are missing (npm test runs it so CI's `npm ci` never trips on it).
import { readFileSync, writeFileSync } from 'node:fs';

const OS = { darwin: 'darwin', linux: 'linux', win32: 'win32', android: 'android', freebsd: 'freebsd' };
const CPU = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32', universal: null };

function platformOf(name) {
  const tail = name.split('/').pop();
  const os = Object.keys(OS).find((o) => tail.includes(`-${o}-`) || tail.endsWith(`-${o}`));
  const cpu = Object.keys(CPU).find((c) => new RegExp(`-${c}(?:$|[-+])`).test(tail));
  return { os: os ? [os] : undefined, cpu: cpu && CPU[cpu] ? [CPU[cpu]] : undefined };
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const { os, cpu } = platformOf(dep);
    if (!os) continue; // only per-platform binary packages
    const base = path === '' ? '' : `${path}/`;
    const key = `${base}node_modules/${dep}`;
    if (pkgs[key] || pkgs[`node_modules/${dep}`]) continue;
    pkgs[`node_modules/${dep}`] = {
      version,
      ...(cpu ? { cpu } : {}),
      ...(meta.dev ? { dev: true } : {}),
      optional: true,
      os,
    };
    added++;
  }
}
if (process.argv.includes('--check')) {
  if (added > 0) {
    console.error(
      `package-lock.json lacks ${added} optional platform package(s); npm ci would refuse it. Run: node scripts/lock-optional-platforms.mjs`,
    );
    process.exit(1);
  }
  process.exit(0);
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} optional platform entries`);
