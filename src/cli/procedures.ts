import type { NodeConfig } from '../config/index.js';
import { MaculaError } from '../core/index.js';
import type { MaculaNode } from '../node/index.js';

/**
 * `macula register <name>` / `unregister <name>` (node side): a CLI node has no code of
 * its own to serve calls with, so it provides a built-in echo procedure under the given
 * name, as the seed's Quick Start registers `echo_service`. The handler returns the
 * arguments with who answered, and logs the call.
 */
export interface RegisterAnswer {
  name: string;
  registered: boolean;
}

/** What the echo procedure answers. */
export interface EchoResult {
  echo: unknown;
  node: string;
  caller: string;
}

export async function registerEcho(
  node: MaculaNode,
  config: NodeConfig,
  args: string[],
  log: (line: string) => void,
): Promise<RegisterAnswer> {
  const name = oneArg('register', args);
  const who = config.name ?? node.nodeId.slice(0, 8);
  await node.register<unknown, EchoResult>(name, (echo, ctx) => {
    log(`RPC call received: ${name} from ${ctx.caller.slice(0, 8)}`);
    return { echo, node: who, caller: ctx.caller };
  });
  log(`Registered RPC endpoint: ${name}`);
  return { name, registered: true };
}

export async function unregisterEcho(node: MaculaNode, args: string[]): Promise<RegisterAnswer> {
  const name = oneArg('unregister', args);
  await node.unregister(name);
  return { name, registered: false };
}

function oneArg(command: string, args: string[]): string {
  if (args.length !== 1)
    throw new MaculaError('BAD_REQUEST', `control command "${command}" takes 1 argument, got ${args.length}`);
  return args[0]!;
}
