import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, type Logger, type LogLevel, silentLogger } from '../../src/logging/index.js';

/** A destination that keeps what pino writes, synchronously. */
function capture(): { stream: Writable; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, text, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with level label, time and msg', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream, name: 'node1' });
    log.info('started');
    log.warn({ peers: 2 }, 'few peers');
    const [a, b] = out.lines();
    assert.equal(out.lines().length, 2);
    assert.equal(a?.level, 'info');
    assert.equal(a?.msg, 'started');
    assert.equal(a?.name, 'node1');
    assert.equal(typeof a?.time, 'number');
    assert.equal(b?.level, 'warn');
    assert.equal(b?.peers, 2);
    assert.equal(b?.msg, 'few peers');
  });

  it('is JSON, not pretty, for a stream destination by default', () => {
    const out = capture();
    createLogger({ destination: out.stream }).info('x');
    assert.doesNotThrow(() => out.lines());
  });

  it('child loggers add their bindings to every line, nested', () => {
    const out = capture();
    const root = createLogger({ level: 'debug', destination: out.stream });
    const transport = root.child({ component: 'transport' });
    const conn = transport.child({ conn: 'c1' });
    transport.debug('bound');
    conn.info({ bytes: 10 }, 'read');
    root.info('root');
    const [a, b, c] = out.lines();
    assert.equal(a?.component, 'transport');
    assert.equal(b?.component, 'transport');
    assert.equal(b?.conn, 'c1');
    assert.equal(b?.bytes, 10);
    assert.equal(c?.component, undefined, 'the parent is unchanged');
    assert.equal(conn.level, 'debug', 'children keep the level');
  });

  it('filters below its level', () => {
    const levels: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    const out = capture();
    const log = createLogger({ level: 'warn', destination: out.stream });
    for (const l of levels) log[l as Exclude<LogLevel, 'silent'>](l);
    assert.deepEqual(
      out.lines().map((l) => l.msg),
      ['warn', 'error', 'fatal'],
    );
    assert.equal(log.level, 'warn');
    assert.equal(log.isLevelEnabled('info'), false);
    assert.equal(log.isLevelEnabled('error'), true);
  });

  it('writes nothing at level silent', () => {
    const out = capture();
    const log = createLogger({ level: 'silent', destination: out.stream });
    log.fatal('nope');
    log.child({ component: 'x' }).error('nope');
    assert.equal(out.text(), '');
  });

  it('serialises errors under err with type, message and stack', () => {
    const out = capture();
    createLogger({ destination: out.stream }).error({ err: new RangeError('boom') }, 'failed');
    const err = out.lines()[0]?.err as Record<string, unknown>;
    assert.equal(err.type, 'RangeError');
    assert.equal(err.message, 'boom');
    assert.match(String(err.stack), /RangeError: boom/);
  });

  it('pretty output is human-readable, synchronous and includes bindings', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream, pretty: true });
    log.child({ component: 'transport' }).info({ port: 4433 }, 'listening');
    const text = out.text();
    assert.match(text, /INFO/);
    assert.match(text, /listening/);
    assert.match(text, /component: "transport"/);
    assert.match(text, /port: 4433/);
    assert.throws(() => JSON.parse(text), 'not JSON');
  });
});

describe('silentLogger', () => {
  it('produces nothing, and its children are itself', () => {
    const log: Logger = silentLogger;
    assert.equal(log.level, 'silent');
    assert.equal(log.child({ component: 'x' }), log);
    assert.equal(log.isLevelEnabled('fatal'), false);
    log.info('x');
    log.error({ err: new Error('x') }, 'y');
    assert.ok(Object.isFrozen(log));
  });
});
