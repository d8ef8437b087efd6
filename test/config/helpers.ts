import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ConfigError } from '../../src/config/index.js';

/** A temp directory for the calling test file, removed after it; `dir()` is valid inside tests. */
export function useTempDir(): { dir: () => string; file: (name: string, text: string) => Promise<string> } {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'macula-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    file: async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
  };
}

/** The ConfigError `p` rejects with (fails the test otherwise). */
export async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

/** The whole config a bare `{ realm: 'org.example.mesh' }` resolves to: every default spelled out. */
export const DEFAULTS_FOR_EXAMPLE_REALM = {
  realm: 'org.example.mesh',
  listen: { host: '0.0.0.0', port: 4433 },
  discovery: { methods: ['static'], staticNodes: [] },
  topology: { type: 'k-regular', k: 2 },
  cert: 'auto',
  dataDir: '.macula',
  logLevel: 'info',
} as const;
