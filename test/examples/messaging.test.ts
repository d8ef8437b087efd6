// The README's "pub/sub, messages, RPC and the DHT" example runs and prints what the README says.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

describe('examples/messaging.ts', () => {
  it('publishes, sends, calls and reads the DHT between two nodes', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'examples/messaging.ts'],
      {
        timeout: 60_000,
      },
    );
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], 'a got sensor.k1.temp {"celsius":21.5} (acked by 1)');
    assert.match(lines[1]!, /^a got "hello from b" from [0-9a-f]{8} in 0 hops$/);
    assert.equal(lines[2], 'hello, b');
    assert.match(lines[3]!, /^[0-9a-f]{8} → http:\/\/10\.0\.0\.2:8080$/);
  });
});
