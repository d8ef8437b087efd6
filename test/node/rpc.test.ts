// RPC across full nodes on the in-memory network: discovery through the DHT, balancing,
// failover, typed remote errors, casts, deadlines, and calls over multi-hop routes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MaculaError, TimeoutError } from '../../src/core/index.js';
import { RpcError } from '../../src/rpc/index.js';
import { chainToLast, count, testnet } from '../helpers/testnet.js';
import { waitFor } from '../helpers/wait.js';

const rpcCode = (c: string) => (e: unknown) => e instanceof RpcError && e.code === c;

describe('RPC on full nodes', () => {
  it('finds providers through the DHT, balances round-robin, fails over when one dies', async (t) => {
    const tn = await testnet(t, 6);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 6), 10_000, 'formed');
    const [p1, p2, caller] = [tn.nodes[1]!, tn.nodes[2]!, tn.nodes[4]!];
    await p1.register<{ x: number }, object>('math.double', ({ x }, ctx) => ({
      y: x * 2,
      by: 'p1',
      caller: ctx.caller,
    }));
    await p2.register<{ x: number }, object>('math.double', ({ x }) => ({ y: x * 2, by: 'p2' }));
    const by: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await caller.call<{ y: number; by: string; caller?: string }>('math.double', { x: i });
      assert.equal(r.y, i * 2);
      if (r.caller !== undefined) assert.equal(r.caller, caller.nodeId);
      by.push(r.by);
    }
    assert.deepEqual(new Set(by), new Set(['p1', 'p2']), 'round-robin used both providers');
    assert.notEqual(by[0], by[1]);
    const random = await caller.call<{ by: string }>('math.double', { x: 1 }, { balance: 'random' });
    assert.ok(['p1', 'p2'].includes(random.by));
    const near = await caller.call<{ by: string }>('math.double', { x: 1 }, { balance: 'lowest-rtt' });
    assert.ok(['p1', 'p2'].includes(near.by));
    // p2 crashes: calls keep working (failover, then membership drops it).
    tn.crash(2);
    for (let i = 0; i < 3; i++) {
      const r = await caller.call<{ by: string }>('math.double', { x: i }, { timeoutMs: 8000 });
      assert.equal(r.by, 'p1');
    }
    // A node calling a procedure it provides itself.
    assert.equal((await p1.call<{ by: string }>('math.double', { x: 5 })).by, 'p1');
  });

  it('remote errors, unknown procedures, bad names and deadlines are typed; casts run', async (t) => {
    const tn = await testnet(t, 3);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 3), 10_000, 'formed');
    const [p, c] = [tn.nodes[0]!, tn.nodes[2]!];
    await p.register('svc.fail', () => {
      throw new MaculaError('QUOTA_EXCEEDED', 'too many widgets');
    });
    await p.register('svc.hang', () => new Promise(() => {}));
    const casts: unknown[] = [];
    let castArrived!: () => void;
    const arrived = new Promise<void>((r) => {
      castArrived = r;
    });
    await p.register('svc.log', (args) => {
      casts.push(args);
      castArrived();
    });
    await assert.rejects(c.call('svc.fail', {}), (e: unknown) => {
      assert.ok(rpcCode('REMOTE_ERROR')(e));
      assert.equal((e as RpcError).remoteCode, 'QUOTA_EXCEEDED');
      assert.match((e as Error).message, /too many widgets/);
      return true;
    });
    await assert.rejects(c.call('svc.nobody'), rpcCode('NO_PROVIDER'));
    await assert.rejects(c.call('bad name!'), rpcCode('INVALID_PROCEDURE'));
    await assert.rejects(
      p.register('svc.fail', () => 1),
      rpcCode('ALREADY_REGISTERED'),
    );
    await assert.rejects(
      c.call('svc.hang', {}, { timeoutMs: 300 }),
      (e: unknown) => e instanceof TimeoutError,
    );
    const ctl = new AbortController();
    const pending = c.call('svc.hang', {}, { signal: ctl.signal });
    ctl.abort();
    await assert.rejects(pending, { code: 'ABORTED' });
    await c.cast('svc.log', { line: 1 });
    await arrived;
    assert.deepEqual(casts, [{ line: 1 }]);
    // Calling a node that does not provide the procedure.
    await assert.rejects(
      c.call('svc.log', {}, { provider: tn.nodes[1]!.nodeId }),
      rpcCode('UNKNOWN_PROCEDURE'),
    );
    // Unregistered: after the cache expires nobody provides it.
    await p.unregister('svc.log');
    await assert.rejects(c.call('svc.log', {}, { provider: p.nodeId }), rpcCode('UNKNOWN_PROCEDURE'));
    const stats = p.rpcStats();
    assert.equal(stats.registered, 2);
    assert.ok(stats.serveFailures >= 1);
  });

  it('a caller deadline and cancellation reach the handler through its signal', async (t) => {
    const tn = await testnet(t, 2);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 2), 10_000, 'formed');
    const [p, c] = [tn.nodes[0]!, tn.nodes[1]!];
    const reasons: unknown[] = [];
    let aborted!: () => void;
    let next = new Promise<void>((r) => {
      aborted = r;
    });
    await p.register('svc.wait', (_args, ctx) => {
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          reasons.push(ctx.signal.reason);
          aborted();
          reject(ctx.signal.reason);
        });
      });
    });
    // The caller times out: the handler's signal fires with a TimeoutError.
    await assert.rejects(
      c.call('svc.wait', {}, { timeoutMs: 300 }),
      (e: unknown) => e instanceof TimeoutError,
    );
    await next;
    assert.ok(reasons[0] instanceof TimeoutError, String(reasons[0]));
    // The caller aborts: the handler hears of it as a cancellation.
    next = new Promise<void>((r) => {
      aborted = r;
    });
    const ctl = new AbortController();
    const pending = c.call('svc.wait', {}, { signal: ctl.signal, timeoutMs: 60_000 });
    // Abort once the call is being served.
    await waitFor(() => p.rpcStats().served >= 2, { timeoutMs: 10_000, what: 'second call served' });
    ctl.abort();
    await assert.rejects(pending, { code: 'ABORTED' });
    await next;
    assert.equal((reasons[1] as { code?: string }).code, 'ABORTED');
  });

  it('a caller that stops gives up its calls in flight at once with NOT_RUNNING', async (t) => {
    const tn = await testnet(t, 2);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 2), 10_000, 'formed');
    const [p, c] = [tn.nodes[0]!, tn.nodes[1]!];
    await p.register('svc.never', () => new Promise(() => {}));
    const pending = c.call('svc.never', {}, { timeoutMs: 600_000 });
    pending.catch(() => {}); // observed below, after stop
    await waitFor(() => p.rpcStats().served >= 1, { timeoutMs: 10_000, what: 'call served' });
    await c.stop();
    await assert.rejects(pending, { code: 'NOT_RUNNING' });
  });

  it('between connected nodes, calls travel on the peer channel: many in flight, each answered', async (t) => {
    const tn = await testnet(t, 2);
    await tn.until(() => tn.nodes.every((n) => count(n, 'alive') === 2), 10_000, 'formed');
    const [p, c] = [tn.nodes[0]!, tn.nodes[1]!];
    await p.register<number, number>('math.square', (x) => x * x);
    await p.register('math.fail', () => {
      throw new MaculaError('NEGATIVE', 'no negatives');
    });
    const routedBefore = c.routes().routed.sent;
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => c.call<number>('math.square', i)),
    );
    assert.deepEqual(
      results,
      Array.from({ length: 500 }, (_, i) => i * i),
    );
    await assert.rejects(c.call('math.fail', -1), (e: unknown) => {
      assert.ok(rpcCode('REMOTE_ERROR')(e));
      assert.equal((e as RpcError).remoteCode, 'NEGATIVE');
      return true;
    });
    assert.ok(
      c.routes().routed.sent - routedBefore < 10,
      'not routed (a few DHT or cancel messages at most)',
    );
    assert.equal(p.rpcStats().served, 501);
  });

  it('a result MessagePack cannot carry is a REMOTE_ERROR with BAD_PAYLOAD, on a channel and routed', async (t) => {
    const tn = await testnet(t, 3, { membership: false, routing: { dialOnDemand: false } });
    const chain = await chainToLast(tn);
    const [far, near, dest] = [chain[0]!, chain[1]!, chain[2]!];
    await dest.register('svc.huge', () => 2n ** 70n); // beyond 64-bit integers
    const badPayload = (e: unknown) => {
      assert.ok(rpcCode('REMOTE_ERROR')(e), String(e));
      assert.equal((e as RpcError).remoteCode, 'BAD_PAYLOAD');
      return true;
    };
    await assert.rejects(
      near.call('svc.huge', null, { provider: dest.nodeId, timeoutMs: 5_000 }),
      badPayload,
    );
    await assert.rejects(far.call('svc.huge', null, { provider: dest.nodeId, timeoutMs: 5_000 }), badPayload);
  });

  it('calls a provider several hops away, through nodes with no direct connection', async (t) => {
    const tn = await testnet(t, 5, { membership: false, routing: { dialOnDemand: false } });
    const chain = await chainToLast(tn);
    const dest = chain[4]!;
    await dest.register<string, string>('echo.upper', (s) => s.toUpperCase());
    const r = await chain[0]!.call<string>('echo.upper', 'far away', { provider: dest.nodeId });
    assert.equal(r, 'FAR AWAY');
  });
});
