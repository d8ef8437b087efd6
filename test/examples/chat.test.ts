// examples/chat: three chat processes over QUIC on loopback, driven through stdin, with
// every transcript checked: rooms, presence, `who` over RPC, room switches, DMs, and a user
// killed with SIGKILL then restarted. Waits only on output lines (never fixed sleeps).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

const MAIN = new URL('../../examples/chat/main.ts', import.meta.url).pathname;

/** One chat process: its stdout lines can be awaited; `say` writes a line to its stdin. */
class ChatProc {
  readonly lines: string[] = [];
  /** The lines with the seconds since the process started, for failure reports. */
  readonly stamped: string[] = [];
  private readonly t0 = Date.now();
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    args: string[],
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--name', name, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      this.lines.push(l);
      this.stamped.push(`${((Date.now() - this.t0) / 1000).toFixed(2)} ${l}`);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  say(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** How many lines so far: pass it to `waitFor` to ignore what came before. */
  mark(): number {
    return this.lines.length;
  }

  /** The first line from index `from` on matching `want` (a whole line or a RegExp). */
  async waitFor(want: string | RegExp, from = 0, timeoutMs = 20_000): Promise<string> {
    const test = (l: string) => (typeof want === 'string' ? l === want : want.test(l));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(test);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0 || !this.alive)
        throw new Error(
          `${this.name}: ${this.alive ? 'timed out' : 'exited'} waiting for ${String(want)}; output:\n` +
            `${this.lines.join('\n')}\nstderr:\n${this.stderr}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async ready(): Promise<{ nodeId: string; port: number }> {
    const line = await this.waitFor(/^ready [0-9a-f]{64} \d+$/, 0, 60_000);
    const [, nodeId, port] = line.split(' ');
    return { nodeId: nodeId!, port: Number(port) };
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  /** Lines equal to `line` in the transcript. */
  count(line: string): number {
    return this.lines.filter((l) => l === line).length;
  }
}

// Fast heartbeats keep the test short; SWIM usually reports a crash before the timeout.
const OPTS = ['--host', '127.0.0.1', '--heartbeat-ms', '500', '--presence-timeout-ms', '3000'];

describe('examples/chat', () => {
  it('chats in rooms, answers who, sends DMs and survives a killed user', { timeout: 120_000 }, async (t) => {
    const procs: ChatProc[] = [];
    const start = (name: string, args: string[]) => {
      const p = new ChatProc(name, [...OPTS, ...args]);
      procs.push(p);
      return p;
    };
    // On a test timeout, show how far each user got (the signal also fires when the test ends).
    let finished = false;
    t.signal.addEventListener('abort', () => {
      if (!finished)
        for (const p of procs) console.log(`--- ${p.name}\n${p.stamped.join('\n')}\n${p.stderr}`);
    });
    t.after(async () => {
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.exited));
    });

    const alice = start('alice', ['--port', '0']);
    const { port: pa } = await alice.ready();
    const bob = start('bob', ['--port', '0', '--bootstrap', `127.0.0.1:${pa}`]);
    let carol = start('carol', ['--port', '0', '--bootstrap', `127.0.0.1:${pa}`]);
    const [, { port: pc }] = await Promise.all([bob.ready(), carol.ready()]);
    const users = [alice, bob, carol];

    // Presence: everyone sees the two others in the lobby before anyone speaks.
    await Promise.all(
      users.flatMap((p) => users.filter((q) => q !== p).map((q) => p.waitFor(`* ${q.name} joined lobby`))),
    );

    // Lobby: three messages each, interleaved; everyone sees all nine, once, in order per sender.
    for (let i = 1; i <= 3; i++) for (const p of users) p.say(`${p.name} says ${i}`);
    const said = users.flatMap((q) => [1, 2, 3].map((i) => `[lobby] ${q.name}: ${q.name} says ${i}`));
    await Promise.all(users.flatMap((p) => said.map((l) => p.waitFor(l))));
    for (const p of users)
      for (const q of users) {
        const mine = p.lines.filter((l) => l.startsWith(`[lobby] ${q.name}: `));
        assert.deepEqual(
          mine,
          [1, 2, 3].map((i) => `[lobby] ${q.name}: ${q.name} says ${i}`),
          p.name,
        );
      }

    // who, over RPC: any lobby member answers for the lobby.
    const m = bob.mark();
    bob.say('/who');
    await bob.waitFor(/^who lobby: alice, bob, carol \(answered by (alice|bob|carol)\)$/, m);

    // Bob moves to dev: the lobby sees him leave; rooms stay separate.
    let ma = alice.mark();
    let mc = carol.mark();
    let mb = bob.mark();
    bob.say('/join dev');
    await bob.waitFor('* you joined dev (here: nobody)', mb);
    await alice.waitFor('* bob left lobby', ma);
    await carol.waitFor('* bob left lobby', mc);
    alice.say('lobby only');
    bob.say('dev only');
    await alice.waitFor('[lobby] alice: lobby only', ma);
    await carol.waitFor('[lobby] alice: lobby only', mc);
    await bob.waitFor('[dev] bob: dev only', mb);
    // Asked from the lobby, only bob can answer for dev.
    alice.say('/who dev');
    await alice.waitFor('who dev: bob (answered by bob)', ma);
    alice.say('/rooms');
    await alice.waitFor('rooms: dev (1), lobby (2)', ma);
    alice.say('/who empty');
    await alice.waitFor('who empty: nobody', ma);

    // Bob comes back; a DM reaches its target only.
    ma = alice.mark();
    mc = carol.mark();
    mb = bob.mark();
    bob.say('/join lobby');
    await bob.waitFor('* you joined lobby (here: alice, carol)', mb);
    await alice.waitFor('* bob joined lobby', ma);
    await carol.waitFor('* bob joined lobby', mc);
    alice.say('/dm carol psst');
    await carol.waitFor('[dm from alice] psst', mc);
    await alice.waitFor('[dm to carol] psst', ma);

    // Carol's process is killed: the others see her leave.
    ma = alice.mark();
    mb = bob.mark();
    carol.kill();
    await carol.exited;
    const gone = /^\* carol left \((timeout|dead)\)$/;
    await Promise.all([alice.waitFor(gone, ma), bob.waitFor(gone, mb)]);

    // She comes back (same name and port, new process and node id): seen again, chat works again.
    const oldCarol = carol;
    carol = start('carol', ['--port', String(pc), '--bootstrap', `127.0.0.1:${pa}`]);
    await carol.ready();
    await Promise.all([
      carol.waitFor('* alice joined lobby'),
      carol.waitFor('* bob joined lobby'),
      alice.waitFor('* carol joined lobby', ma),
      bob.waitFor('* carol joined lobby', mb),
    ]);
    carol.say("i'm back");
    await Promise.all([alice, bob, carol].map((p) => p.waitFor("[lobby] carol: i'm back", 0)));
    alice.say('welcome back');
    await Promise.all([alice, bob, carol].map((p) => p.waitFor('[lobby] alice: welcome back')));
    bob.say('/dm carol hi again');
    await carol.waitFor('[dm from bob] hi again');
    carol.say('/who');
    await carol.waitFor(/^who lobby: alice, bob, carol \(answered by (alice|bob|carol)\)$/);

    // Bob quits: the others see it at once.
    ma = alice.mark();
    mc = carol.mark();
    bob.say('/quit');
    await bob.waitFor('bye');
    assert.equal(await bob.exited, 0);
    await Promise.all([alice.waitFor('* bob left (quit)', ma), carol.waitFor('* bob left (quit)', mc)]);
    alice.say('/quit');
    carol.say('/quit');
    assert.deepEqual(await Promise.all([alice.exited, carol.exited]), [0, 0]);

    // The transcripts: every message exactly once where it belongs, nowhere else.
    for (const p of [alice, bob, oldCarol])
      for (const l of said) assert.equal(p.count(l), 1, `${p.name}: ${l}`);
    for (const p of [alice, oldCarol]) assert.equal(p.count('[dev] bob: dev only'), 0, p.name);
    assert.equal(bob.count('[lobby] alice: lobby only'), 0);
    assert.equal(alice.count('[lobby] alice: lobby only'), 1);
    assert.equal(oldCarol.count('[lobby] alice: lobby only'), 1);
    assert.equal(bob.lines.filter((l) => l.includes('psst')).length, 0);
    assert.equal(oldCarol.count('[dm from alice] psst'), 1);
    for (const p of [alice, bob, carol]) {
      assert.equal(p.count("[lobby] carol: i'm back"), 1, p.name);
      assert.equal(p.count('[lobby] alice: welcome back'), 1, p.name);
      assert.equal(p.lines.filter((l) => l.startsWith('! ')).length, 0, `${p.name}: ${p.lines.join('\n')}`);
    }
    assert.equal(carol.count('[dm from bob] hi again'), 1);
    assert.equal(alice.count('[dm from bob] hi again') + bob.count('[dm from bob] hi again'), 0);
    finished = true;
  });
});
