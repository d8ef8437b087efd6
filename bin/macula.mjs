#!/usr/bin/env node
// The `macula` command. Runs the compiled CLI when the package is built (npm install
// from the registry), else the TypeScript sources through tsx (a clone of the repo).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
let mod;
if (existsSync(dist)) {
  mod = await import(dist);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
await mod.main(process.argv);
