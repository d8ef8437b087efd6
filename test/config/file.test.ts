import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/index.js';
import { rejection, useTempDir } from './helpers.js';

const tmp = useTempDir();
const tempFile = tmp.file;

describe('config files', () => {
  it('names a missing file', async () => {
    const file = join(tmp.dir(), 'nope.yaml');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.equal(err.message, `Cannot read config file ${file}:\nno such file`);
    assert.equal(err.file, file);
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
  });

  it('refuses unknown extensions', async () => {
    const file = await tempFile('node.toml', 'realm = "a.b"');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.equal(
      err.message,
      `Invalid config file ${file}:\nunsupported extension ".toml"; use .json, .yaml or .yml`,
    );
  });

  it('gives the line and column of a YAML syntax error', async () => {
    const file = await tempFile('broken.yaml', 'realm: a.b\nlisten:\n  port: 1\n   host: x\n');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.equal(
      err.message,
      `Invalid config file ${file}:\nline 3, column 9: YAML syntax error: Nested mappings are not allowed in compact mappings`,
    );
    assert.deepEqual([err.issues[0]?.line, err.issues[0]?.column], [3, 9]);
  });

  it('rejects duplicate YAML keys with their line', async () => {
    const file = await tempFile('dup.yaml', 'realm: a.b\nrealm: c.d\n');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.equal(err.issues[0]?.line, 2);
    assert.match(err.message, /YAML syntax error: Map keys must be unique/);
  });

  it('gives the line and column of a JSON syntax error', async () => {
    const file = await tempFile('broken.json', '{\n  "realm": "a.b",\n  "listen": { "port": 1, }\n}\n');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.deepEqual([err.issues[0]?.line, err.issues[0]?.column], [3, 26]);
    assert.match(err.message.split('\n')[1] ?? '', /^line 3, column 26: JSON syntax error: /);
  });

  it('reports a truncated JSON file at its end', async () => {
    const file = await tempFile('short.json', '{\n  "realm": "a.b"');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.equal(err.issues[0]?.line, 2);
  });

  it('treats an empty file as no options, and rejects a file that is not a mapping', async () => {
    const empty = await tempFile('empty.yaml', '# nothing yet\n');
    assert.equal((await resolveConfig({ file: empty, env: { MACULA_REALM: 'a.b' } })).realm, 'a.b');
    const list = await tempFile('list.yaml', '- realm\n');
    const err = await rejection(resolveConfig({ file: list, env: {} }));
    assert.equal(
      err.message,
      `Invalid config file ${list}:\nmust contain a mapping of options (got ["realm"])`,
    );
  });
});
