import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, parseHostPort } from '../../src/config/index.js';
import { MaculaError } from '../../src/core/index.js';
import { DEFAULTS_FOR_EXAMPLE_REALM } from './helpers.js';

/** The `path: message` lines of the ConfigError thrown by `fn` (the header line dropped). */
function problemLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message.split('\n').slice(1);
  }
  assert.fail('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the same realm rule as core (label hyphens, label length)', () => {
    const rule =
      'realm: must be reverse-DNS like org.example.mesh: two or more dot-separated labels of a-z, 0-9 and -';
    for (const realm of ['org.-example.mesh', 'org.example-.mesh']) {
      assert.deepEqual(
        problemLines(() => parseConfig({ realm })),
        [`${rule} (got ${JSON.stringify(realm)})`],
      );
    }
    // A 64-character label: the quoted value is shortened in the message.
    const [long, ...rest] = problemLines(() => parseConfig({ realm: `org.${'a'.repeat(64)}` }));
    assert.equal(rest.length, 0);
    assert.ok(long?.startsWith(`${rule} (got "org.aaaa`), long);
  });

  it('fills every default around the realm', () => {
    assert.deepEqual(parseConfig({ realm: 'org.example.mesh' }), DEFAULTS_FOR_EXAMPLE_REALM);
  });

  it('keeps given values, including cert files and a name', () => {
    const cfg = parseConfig({
      name: 'node2',
      realm: 'io.macula.test-1',
      listen: { port: 0 },
      discovery: { methods: ['static', 'mdns'], staticNodes: ['127.0.0.1:4433', '[::1]:4434'] },
      topology: { k: 64 },
      cert: { ca: 'ca.pem', cert: 'node.pem', key: 'node.key' },
      logLevel: 'silent',
    });
    assert.equal(cfg.name, 'node2');
    assert.deepEqual(cfg.listen, { host: '0.0.0.0', port: 0 });
    assert.deepEqual(cfg.discovery.staticNodes, ['127.0.0.1:4433', '[::1]:4434']);
    assert.equal(cfg.topology.k, 64);
    assert.deepEqual(cfg.cert, { ca: 'ca.pem', cert: 'node.pem', key: 'node.key' });
  });

  it('requires a realm', () => {
    assert.deepEqual(
      problemLines(() => parseConfig({})),
      ['realm: is required'],
    );
  });

  it('is a MaculaError with code INVALID_CONFIG, a header and structured issues', () => {
    try {
      parseConfig({ realm: 'x', listen: { port: 70000 } });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(err instanceof MaculaError);
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'INVALID_CONFIG');
      assert.equal(err.message.split('\n')[0], 'Invalid configuration:');
      assert.deepEqual(err.issues, [
        {
          path: 'realm',
          message:
            'must be reverse-DNS like org.example.mesh: two or more dot-separated labels of a-z, 0-9 and - (got "x")',
        },
        { path: 'listen.port', message: 'must be between 0 and 65535 (got 70000)' },
      ]);
    }
  });

  it('reports every problem of a bad config, one line each', () => {
    const lines = problemLines(() =>
      parseConfig({
        name: '',
        realm: 'Org.Example',
        listen: { port: 70000, prot: 1 },
        discovery: { methods: ['static', 'pigeon'], staticNodes: ['localhost', '[::1]:4433', 5, '::1:80'] },
        topology: { type: 'ring', k: 2.5 },
        cert: { ca: 'ca.pem', cert: 1 },
        logLevel: 'loud',
        extra: true,
      }),
    );
    assert.deepEqual(lines, [
      'name: must not be empty',
      'realm: must be reverse-DNS like org.example.mesh: two or more dot-separated labels of a-z, 0-9 and - (got "Org.Example")',
      'listen.port: must be between 0 and 65535 (got 70000)',
      'listen.prot: unknown option',
      'discovery.methods[1]: must be one of static, mdns, dns, consul, kubernetes (got "pigeon")',
      'discovery.staticNodes[0]: expected host:port, e.g. 127.0.0.1:4433 (got "localhost")',
      'discovery.staticNodes[2]: must be a string (got 5)',
      'discovery.staticNodes[3]: IPv6 addresses need brackets: [::1]:4433 (got "::1:80")',
      'topology.type: must be "k-regular" (got "ring")',
      'topology.k: must be an integer (got 2.5)',
      'cert.cert: must be a string (got 1)',
      'cert.key: is required',
      'logLevel: must be one of trace, debug, info, warn, error, fatal, silent (got "loud")',
      'extra: unknown option',
    ]);
  });

  it('reports wrong types and ranges', () => {
    const lines = problemLines(() =>
      parseConfig({
        realm: 'a.b',
        listen: { host: 5, port: '4433' },
        discovery: { methods: 'static' },
        topology: { k: 0 },
        cert: 5,
        dataDir: '',
      }),
    );
    assert.deepEqual(lines, [
      'listen.host: must be a string (got 5)',
      'listen.port: must be a number (got "4433")',
      'discovery.methods: must be a list (got "static")',
      'topology.k: must be between 1 and 64 (got 0)',
      'cert: must be "auto" or { ca, cert, key } paths of PEM files (got 5)',
      'dataDir: must not be empty',
    ]);
  });

  it('rejects a non-object and seed snake_case keys (only files accept those)', () => {
    assert.deepEqual(
      problemLines(() => parseConfig(5)),
      ['must be an object (got 5)'],
    );
    assert.deepEqual(
      problemLines(() => parseConfig({ realm: 'a.b', listen_port: 1 })),
      ['listen_port: unknown option'],
    );
  });
});

describe('parseHostPort', () => {
  it('parses names, IPv4 and bracketed IPv6', () => {
    assert.deepEqual(parseHostPort('node1.local:4433'), { host: 'node1.local', port: 4433 });
    assert.deepEqual(parseHostPort(' 127.0.0.1:1 '), { host: '127.0.0.1', port: 1 });
    assert.deepEqual(parseHostPort('[::1]:4433'), { host: '::1', port: 4433 });
    assert.deepEqual(parseHostPort('[fe80::1%eth0]:65535'), { host: 'fe80::1%eth0', port: 65535 });
  });

  it('says what is wrong', () => {
    const cases: [string, string][] = [
      ['localhost', 'expected host:port, e.g. 127.0.0.1:4433 (got "localhost")'],
      [':4433', 'host is empty (got ":4433")'],
      ['host:', 'port must be a number (got "host:")'],
      ['host:44a', 'port must be a number (got "host:44a")'],
      ['host:70000', 'port must be between 1 and 65535 (got "host:70000")'],
      ['host:0', 'port must be between 1 and 65535 (got "host:0")'],
      ['::1:4433', 'IPv6 addresses need brackets: [::1]:4433 (got "::1:4433")'],
      ['[::1:4433', 'missing "]" after IPv6 address (got "[::1:4433")'],
      ['[::1]4433', 'expected host:port, e.g. [::1]:4433 (got "[::1]4433")'],
      ['[]:4433', 'host is empty (got "[]:4433")'],
      ['my host:1', 'host contains whitespace (got "my host:1")'],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => parseHostPort(input), { name: 'HostPortSyntaxError', message }, input);
    }
  });
});
