// Argument parsing and output formatting of `macula publish`, `subscribe`, `call`, `stats`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ARG_LENGTH } from '../../src/cli/control.js';
import { buildProgram } from '../../src/cli/main.js';
import type { EventLine, PublishAnswer, StatsAnswer } from '../../src/cli/messaging.js';
import { eventLine } from '../../src/cli/messaging.js';
import {
  callArgs,
  clockTime,
  controlTimeout,
  failureText,
  formatEvent,
  formatPayload,
  formatPublish,
  formatStats,
  jsonArg,
  jsonSafe,
  positiveInt,
  publishArgs,
} from '../../src/cli/messaging-format.js';

const ID = 'ab'.repeat(32);

describe('messaging arguments', () => {
  it('checks and compacts JSON on the client side', () => {
    assert.equal(jsonArg(' { "a" : [1, 2] } ', 'payload'), '{"a":[1,2]}');
    assert.equal(jsonArg('"text"', 'payload'), '"text"');
    assert.equal(jsonArg('null', 'payload'), 'null');
    for (const bad of ['{a:1}', 'text', '', "'x'", '[1,]']) {
      assert.throws(() => jsonArg(bad, 'payload'), {
        code: 'INVALID_JSON',
        message: /^The payload is not valid JSON/,
      });
    }
    const most = JSON.stringify('x'.repeat(MAX_ARG_LENGTH - 2));
    assert.equal(jsonArg(most, 'payload').length, MAX_ARG_LENGTH);
    assert.throws(() => jsonArg(JSON.stringify('x'.repeat(MAX_ARG_LENGTH)), 'argument'), {
      code: 'ARG_TOO_LONG',
      message: /^The argument is 1026 characters .* at most 1024/,
    });
    // Whitespace does not count: the compact form is what travels.
    assert.equal(jsonArg(`[${' '.repeat(2000)}1]`, 'payload'), '[1]');
  });

  it('builds the control args of publish and call', () => {
    assert.deepEqual(publishArgs('a.b', '{"x": 1}', {}), ['a.b', '{"x":1}', '{}']);
    assert.deepEqual(
      publishArgs('a.b', '1', { qos: 'at-least-once', ack: true, retain: true, timeout: 500 }),
      ['a.b', '1', '{"qos":"at-least-once","ack":true,"retain":true,"timeoutMs":500}'],
    );
    assert.deepEqual(callArgs('m.f', undefined, {}), ['m.f', 'null', '{}']);
    assert.deepEqual(callArgs('m.f', '[1, 2]', { timeout: 3000 }), ['m.f', '[1,2]', '{"timeoutMs":3000}']);
    assert.equal(controlTimeout(undefined), 15_000);
    assert.equal(controlTimeout(1000), 6000);
  });

  it('accepts positive integers only for --timeout and --count', () => {
    assert.equal(positiveInt('5'), 5);
    assert.equal(positiveInt(' 12 '), 12);
    for (const bad of ['0', '-1', '1.5', 'x', '', '1e3', '99999999999999999999']) {
      assert.throws(() => positiveInt(bad), { code: 'INVALID_ARGUMENT' }, bad);
    }
  });

  it('parses the commands and their options with commander', async () => {
    let got: unknown[] = [];
    const program = buildProgram();
    program.exitOverride();
    for (const c of program.commands) {
      c.exitOverride();
      c.configureOutput({ writeErr: () => {}, writeOut: () => {} });
      c.action((...a: unknown[]) => {
        got = a.slice(0, -1);
      });
    }
    const run = (...args: string[]) => program.parseAsync(['node', 'macula', ...args]);
    await run('publish', 't.x', '{"a":1}', '--qos', 'at-least-once', '--ack', '--timeout', '200', '-d', 'dd');
    assert.deepEqual(got, [
      't.x',
      '{"a":1}',
      { qos: 'at-least-once', ack: true, timeout: 200, dataDir: 'dd' },
    ]);
    await run('subscribe', 'sensor', '--prefix', '--count', '2', '--json');
    assert.deepEqual(got, ['sensor', { prefix: true, count: 2, dataDir: '.macula', json: true }]);
    await run('call', 'm.f');
    assert.deepEqual(got, ['m.f', undefined, { dataDir: '.macula' }]);
    await run('stats', '--json');
    assert.deepEqual(got, [{ dataDir: '.macula', json: true }]);
    await assert.rejects(run('publish', 't.x', '1', '--qos', 'sometimes'), {
      code: 'commander.invalidArgument',
    });
    await assert.rejects(run('subscribe', 'x', '--count', '0'), { code: 'commander.invalidArgument' });
    await assert.rejects(run('publish', 't.x'), { code: 'commander.missingArgument' });
  });
});

describe('messaging output', () => {
  it('turns MessagePack values into JSON', () => {
    assert.deepEqual(
      jsonSafe({ b: new Uint8Array([104, 105]), n: 2n ** 62n, u: undefined, l: [1n, { d: new Date(0) }] }),
      {
        b: { $base64: 'aGk=' },
        n: '4611686018427387904',
        u: null,
        l: ['1', { d: '1970-01-01T00:00:00.000Z' }],
      },
    );
    assert.deepEqual(jsonSafe(new Map([['k', 1n]])), { k: '1' });
    assert.equal(jsonSafe(undefined), null);
    const e = eventLine(
      { topic: 't', payload: new Uint8Array([1]), publisher: ID, seq: 7, timestamp: 5, retained: true },
      'n1',
    );
    assert.deepEqual(e, {
      topic: 't',
      payload: { $base64: 'AQ==' },
      publisher: ID,
      name: 'n1',
      seq: 7,
      timestamp: 5,
      retained: true,
    });
    assert.equal('name' in eventLine({ topic: 't', payload: 1, publisher: ID, seq: 1, timestamp: 1 }), false);
  });

  it('prints an event on one line, binary as base64', () => {
    const at = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();
    assert.equal(clockTime(at), '03:04:05.067');
    const e: EventLine = {
      topic: 'sensor.temp',
      payload: { c: 21.5 },
      publisher: ID,
      name: 'node2',
      seq: 1,
      timestamp: at,
    };
    assert.equal(formatEvent(e), '[03:04:05.067] sensor.temp from node2: {"c":21.5}');
    const { name: _, ...anonymous } = e;
    assert.equal(
      formatEvent({ ...anonymous, retained: true }),
      `[03:04:05.067] sensor.temp from ${ID.slice(0, 16)}...: {"c":21.5} (retained)`,
    );
    assert.equal(formatPayload({ $base64: 'AQID' }), '<binary 3 bytes, base64 AQID>');
    assert.equal(formatPayload({ nested: { $base64: 'AQID' } }), '{"nested":{"$base64":"AQID"}}');
    assert.equal(formatPayload('hi'), '"hi"');
    assert.equal(formatPayload(null), 'null');
  });

  it('summarizes a publish and a failure', () => {
    const a: PublishAnswer = {
      topic: 'hello.world',
      seq: 12,
      subscribers: [ID, 'cd'.repeat(32)],
      local: 0,
      acked: false,
      retained: false,
      names: {},
    };
    assert.equal(formatPublish(a), 'Published hello.world #12 to 2 subscriber node(s)');
    assert.equal(
      formatPublish({ ...a, local: 1, acked: true, retained: true }),
      'Published hello.world #12 to 2 subscriber node(s) and 1 local subscription, all acknowledged (retained)',
    );
    assert.equal(
      formatPublish({ ...a, subscribers: [], local: 2, acked: true }),
      'Published hello.world #12 to 0 subscriber node(s) and 2 local subscriptions',
    );
    const err = Object.assign(new Error('m.f failed: quota'), { code: 'REMOTE_ERROR', remoteCode: 'QUOTA' });
    assert.equal(failureText(err), 'm.f failed: quota (REMOTE_ERROR, remote code QUOTA)');
    const notAcked = Object.assign(new Error('1 of 2 subscribers did not acknowledge t#3'), {
      code: 'NOT_ACKED',
      missing: [ID],
    });
    assert.equal(
      failureText(notAcked),
      `1 of 2 subscribers did not acknowledge t#3 (NOT_ACKED); no acknowledgement from ${ID.slice(0, 16)}...`,
    );
    assert.equal(failureText(new Error('plain')), 'plain');
  });

  it('prints the stats by layer', () => {
    const s: StatsAnswer = {
      nodeId: ID,
      name: 'node1',
      node: {
        uptimeMs: 61_200,
        activeConnections: 2,
        messagesSent: 10,
        messagesReceived: 9,
        bytesSent: 2048,
        bytesReceived: 100,
        handshakesFailed: 0,
      },
      pubsub: {
        subscriptions: 1,
        published: 3,
        received: 4,
        delivered: 4,
        duplicates: 0,
        unmatched: 0,
        malformed: 0,
        overflowed: 0,
        sendFailures: 0,
        outbox: { pending: 0, acked: 2, retries: 1, expired: 0, abandoned: 0 },
      },
      rpc: {
        registered: 0,
        calls: 2,
        callFailures: 1,
        casts: 0,
        served: 0,
        serveFailures: 0,
        failovers: 0,
        cachedProcedures: 1,
      },
      dht: {
        store: {
          records: 3,
          tombstones: 0,
          keys: 2,
          bytes: 300,
          accepted: 3,
          replaced: 0,
          refreshed: 0,
          deleted: 0,
          expired: 0,
          evicted: {},
          rejected: {},
        },
        owned: 1,
        puts: 1,
        putFailures: 0,
        gets: 4,
        getFailures: 0,
        removes: 0,
        republished: 0,
        republishFailures: 0,
        replicaKeys: 0,
        handoffs: 0,
        handoffRecords: 0,
        handoffsDropped: 0,
        sent: { store: 2, findValue: 5, failed: 0 },
        served: { store: 1, findValue: 3 },
        dropped: {},
      },
      routed: {
        sent: 6,
        delivered: 5,
        forwarded: 1,
        fallbacks: 0,
        retries: 0,
        duplicates: 0,
        rejected: { 'hop-limit': 2, other: 0 },
      },
    };
    const text = formatStats(s);
    assert.match(text, new RegExp(`^Stats of node1 ${ID}, up 61 s\n\nNode\n`));
    assert.match(text, /^ {2}bytes sent \/ received\s+2\.0 KiB \/ 100 B$/m);
    assert.match(text, /^Pub\/sub\n {2}subscriptions\s+1$/m);
    assert.match(text, /^ {2}acked \/ retries\s+2 \/ 1$/m);
    assert.match(text, /^RPC\n {2}registered procedures\s+0\n {2}calls \(failed\)\s+2 \(1\)$/m);
    assert.match(text, /^ {2}sent store \/ find \(failed\)\s+2 \/ 5 \(0\)$/m);
    assert.match(text, /^ {2}rejected\s+hop-limit 2$/m);
    // Values line up in one column, after the longest counter name.
    const width = 'sent store / find (failed)'.length;
    for (const row of text.split('\n').filter((l) => l.startsWith('  '))) {
      assert.match(row, new RegExp(`^ {2}.{${width}} {2}\\S`), row);
    }
  });
});
