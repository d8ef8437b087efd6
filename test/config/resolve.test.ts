import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/index.js';
import { DEFAULTS_FOR_EXAMPLE_REALM, rejection, useTempDir } from './helpers.js';

const tmp = useTempDir();
const tempFile = tmp.file;

const YAML_FILE = `# seed-style keys
realm: org.example.file
listen:
  host: 127.0.0.1
  port: 5000
discovery:
  staticNodes: [10.0.0.1:4433]
topology:
  k: 3
logLevel: debug
`;

describe('resolveConfig', () => {
  it('gives the defaults when only the realm is set', async () => {
    const cfg = await resolveConfig({ env: { MACULA_REALM: 'org.example.mesh' } });
    assert.deepEqual(cfg, DEFAULTS_FOR_EXAMPLE_REALM);
  });

  it('reads process.env when no env is given', async () => {
    const saved = process.env.MACULA_REALM;
    process.env.MACULA_REALM = 'org.from.process';
    try {
      assert.equal((await resolveConfig()).realm, 'org.from.process');
    } finally {
      if (saved === undefined) delete process.env.MACULA_REALM;
      else process.env.MACULA_REALM = saved;
    }
  });

  it('file overrides defaults, env overrides file, overrides override env', async () => {
    const file = await tempFile('layers.yaml', YAML_FILE);
    const fromFile = await resolveConfig({ file, env: {} });
    assert.equal(fromFile.realm, 'org.example.file');
    assert.deepEqual(fromFile.listen, { host: '127.0.0.1', port: 5000 });
    assert.equal(fromFile.topology.k, 3);
    assert.equal(fromFile.logLevel, 'debug');
    assert.equal(fromFile.dataDir, '.macula', 'untouched options keep their default');

    const env = { MACULA_PORT: '6000', MACULA_REALM: 'org.example.env', MACULA_BOOTSTRAP: 'a:1, [::1]:2' };
    const fromEnv = await resolveConfig({ file, env });
    assert.equal(fromEnv.realm, 'org.example.env');
    assert.deepEqual(fromEnv.listen, { host: '127.0.0.1', port: 6000 }, 'objects merge key by key');
    assert.deepEqual(fromEnv.discovery.staticNodes, ['a:1', '[::1]:2'], 'lists are replaced whole');
    assert.equal(fromEnv.topology.k, 3);

    const top = await resolveConfig({
      file,
      env,
      overrides: {
        listen: { port: 7000, host: undefined },
        topology: { k: 5 },
        discovery: { staticNodes: [] },
      },
    });
    assert.equal(top.realm, 'org.example.env');
    assert.deepEqual(top.listen, { host: '127.0.0.1', port: 7000 }, 'undefined overrides are ignored');
    assert.equal(top.topology.k, 5);
    assert.deepEqual(top.discovery.staticNodes, []);
  });

  it('reads JSON files and MACULA_CONFIG when no file is given', async () => {
    const file = await tempFile(
      'node.json',
      JSON.stringify({ realm: 'org.example.json', cert: { ca: 'ca.pem', cert: 'n.pem', key: 'n.key' } }),
    );
    const cfg = await resolveConfig({ env: { MACULA_CONFIG: file } });
    assert.equal(cfg.realm, 'org.example.json');
    assert.deepEqual(cfg.cert, { ca: 'ca.pem', cert: 'n.pem', key: 'n.key' });
    const explicit = await resolveConfig({ file, env: { MACULA_CONFIG: join(tmp.dir(), 'missing.json') } });
    assert.equal(explicit.realm, 'org.example.json', 'an explicit file wins over MACULA_CONFIG');
  });

  it("accepts the seed's snake_case keys in files (the seed's node2 config)", async () => {
    const file = await tempFile(
      'node2.yml',
      `node_id: node2
realm: org.example.mesh
listen_port: 4434
listen_address: 0.0.0.0
discovery:
  methods: [static]
  static_nodes:
    - ["127.0.0.1", 4433]
    - { host: "::1", port: 4435 }
    - node3.local:4436
topology:
  type: k_regular
  k: 2
cert_mode: auto_generate
log_level: info
data_dir: /var/lib/macula
`,
    );
    assert.deepEqual(await resolveConfig({ file, env: {} }), {
      name: 'node2',
      realm: 'org.example.mesh',
      listen: { host: '0.0.0.0', port: 4434 },
      discovery: { methods: ['static'], staticNodes: ['127.0.0.1:4433', '[::1]:4435', 'node3.local:4436'] },
      topology: { type: 'k-regular', k: 2 },
      cert: 'auto',
      dataDir: '/var/lib/macula',
      logLevel: 'info',
    });
  });

  it('rejects both spellings of one option in a file', async () => {
    const file = await tempFile('both.yaml', 'realm: a.b\nlisten_port: 1\nlisten:\n  port: 2\n');
    const err = await rejection(resolveConfig({ file, env: {} }));
    assert.equal(
      err.message,
      `Invalid config file ${file}:\nlisten_port: conflicts with listen.port; give only one`,
    );
    assert.equal(err.file, file);
  });

  it('parses every env var', async () => {
    const cfg = await resolveConfig({
      env: {
        MACULA_REALM: 'org.example.env',
        MACULA_NAME: 'edge-1',
        MACULA_LISTEN_HOST: '::',
        MACULA_PORT: ' 0 ',
        MACULA_BOOTSTRAP: '10.0.0.1:4433,,10.0.0.2:4433,',
        MACULA_TOPOLOGY_K: '4',
        MACULA_LOG_LEVEL: 'warn',
        MACULA_DATA_DIR: '/data',
        MACULA_UNRELATED: 'ignored',
      },
    });
    assert.deepEqual(cfg, {
      name: 'edge-1',
      realm: 'org.example.env',
      listen: { host: '::', port: 0 },
      discovery: { methods: ['static'], staticNodes: ['10.0.0.1:4433', '10.0.0.2:4433'] },
      topology: { type: 'k-regular', k: 4 },
      cert: 'auto',
      dataDir: '/data',
      logLevel: 'warn',
    });
  });

  it('treats empty env vars as unset', async () => {
    const cfg = await resolveConfig({ env: { MACULA_REALM: 'a.b', MACULA_PORT: '', MACULA_CONFIG: ' ' } });
    assert.equal(cfg.listen.port, 4433);
  });

  it('rejects env numbers that are not plain integers, naming the variable', async () => {
    const err = await rejection(
      resolveConfig({ env: { MACULA_REALM: 'a.b', MACULA_PORT: '4433abc', MACULA_TOPOLOGY_K: 'two' } }),
    );
    assert.equal(
      err.message,
      [
        'Invalid environment variables:',
        'MACULA_PORT: must be an integer (got "4433abc")',
        'MACULA_TOPOLOGY_K: must be an integer (got "two")',
      ].join('\n'),
    );
    assert.equal(err.code, 'INVALID_CONFIG');
  });

  it('says which layer each bad value came from', async () => {
    const file = await tempFile(
      'bad.json',
      JSON.stringify({ realm: 'a.b', listen: { port: 70000 }, topology: { k: 99 } }),
    );
    const err = await rejection(
      resolveConfig({
        file,
        env: { MACULA_BOOTSTRAP: 'ok:1,nope', MACULA_LOG_LEVEL: 'loud', MACULA_TOPOLOGY_K: '0' },
        overrides: { realm: 'Bad' },
      }),
    );
    assert.deepEqual(err.message.split('\n'), [
      'Invalid configuration:',
      'realm: must be reverse-DNS like org.example.mesh: two or more dot-separated labels of a-z, 0-9 and - (got "Bad") (from overrides)',
      `listen.port: must be between 0 and 65535 (got 70000) (from ${file})`,
      'discovery.staticNodes[1]: expected host:port, e.g. 127.0.0.1:4433 (got "nope") (from MACULA_BOOTSTRAP)',
      'topology.k: must be between 1 and 64 (got 0) (from MACULA_TOPOLOGY_K)',
      'logLevel: must be one of trace, debug, info, warn, error, fatal, silent (got "loud") (from MACULA_LOG_LEVEL)',
    ]);
    assert.equal(err.issues[1]?.source, file);
  });

  it('reports a missing realm with no source', async () => {
    const err = await rejection(resolveConfig({ env: {} }));
    assert.equal(err.message, 'Invalid configuration:\nrealm: is required');
  });
});
