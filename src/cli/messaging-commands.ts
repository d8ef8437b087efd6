import { askControl, streamControl } from './control.js';
import type { InspectFlags } from './inspect.js';
import type { CallAnswer, EventLine, PublishAnswer, StatsAnswer, SubscribedAnswer } from './messaging.js';
import {
  callArgs,
  controlTimeout,
  failureText,
  formatEvent,
  formatPublish,
  formatStats,
  type PublishFlags,
  publishArgs,
} from './messaging-format.js';
import { makeOutput } from './output.js';
import type { RegisterAnswer } from './procedures.js';

/**
 * `macula publish`, `subscribe`, `call` and `stats`: they ask the node running on
 * `--data-dir` through its control socket (messaging.ts answers there). A failure prints
 * the message with its code (and the remote code of a remote error, the subscribers that
 * did not acknowledge) and exits 1.
 */
async function reporting(json: boolean | undefined, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const { code, remoteCode, missing } = e as { code?: string; remoteCode?: string; missing?: string[] };
    makeOutput(json ?? false).error(json ? (e as Error).message : failureText(e), {
      ...(code ? { code } : {}),
      ...(remoteCode ? { remoteCode } : {}),
      ...(missing ? { missing } : {}),
    });
    process.exitCode = 1;
  }
}

/** `macula publish <topic> <json>`: the payload is checked here, then published by the node. */
export function publishCommand(topic: string, payload: string, flags: InspectFlags & PublishFlags) {
  return reporting(flags.json, async () => {
    const args = publishArgs(topic, payload, flags);
    const a = (await askControl(flags.dataDir, 'publish', {
      args,
      timeoutMs: controlTimeout(flags.timeout),
    })) as PublishAnswer;
    makeOutput(flags.json ?? false).result(a, () => formatPublish(a));
  });
}

/** `macula call <name> [json]`: prints the result (pretty JSON; one line with --json). */
export function callCommand(
  name: string,
  argsJson: string | undefined,
  flags: InspectFlags & { timeout?: number },
) {
  return reporting(flags.json, async () => {
    const args = callArgs(name, argsJson, flags);
    const a = (await askControl(flags.dataDir, 'call', {
      args,
      timeoutMs: controlTimeout(flags.timeout),
    })) as CallAnswer;
    makeOutput(flags.json ?? false).result(a.result, () => JSON.stringify(a.result, null, 2));
  });
}

/**
 * `macula register <name>`: the running node provides `name` with the built-in echo
 * procedure (it answers `{ echo: args, node, caller }`); `macula unregister <name>` stops.
 */
export function registerCommand(name: string, flags: InspectFlags & { remove?: boolean }) {
  return reporting(flags.json, async () => {
    const command = flags.remove ? 'unregister' : 'register';
    const a = (await askControl(flags.dataDir, command, {
      args: [name],
      timeoutMs: 15_000,
    })) as RegisterAnswer;
    makeOutput(flags.json ?? false).result(a, () =>
      a.registered ? `Registered RPC endpoint: ${a.name} (echo)` : `Unregistered ${a.name}`,
    );
  });
}

/** `macula stats`: the node's, pub/sub, RPC, DHT and routed-message counters. */
export function statsCommand(flags: InspectFlags) {
  return reporting(flags.json, async () => {
    const a = (await askControl(flags.dataDir, 'stats')) as StatsAnswer;
    makeOutput(flags.json ?? false).result(a, () => formatStats(a));
  });
}

export interface SubscribeFlags extends InspectFlags {
  prefix?: boolean;
  count?: number;
}

/**
 * `macula subscribe <pattern>`: prints `Subscribed to …` once the node announced the
 * subscription, then each event as it arrives, until ctrl-c (SIGINT/SIGTERM) or `--count`.
 */
export function subscribeCommand(pattern: string, flags: SubscribeFlags) {
  const json = flags.json ?? false;
  const out = makeOutput(json);
  return reporting(json, async () => {
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', onSignal); // a closed pipe (`| head -3`) ends it too
    let seen = 0;
    try {
      await streamControl(flags.dataDir, 'subscribe', {
        args: flags.prefix ? [pattern, 'prefix'] : [pattern],
        signal: stop.signal,
        onReady: (r) => {
          const s = r as SubscribedAnswer;
          const mode = s.match === 'prefix' ? ' and everything below it' : '';
          out.info(`Subscribed to ${s.pattern}${mode} (ctrl-c to stop)`, {
            event: 'subscribed',
            pattern: s.pattern,
            match: s.match,
          });
        },
        onEvent: (e) => {
          if (stop.signal.aborted) return;
          const line = e as EventLine;
          out.result(line, () => formatEvent(line));
          if (flags.count !== undefined && ++seen >= flags.count) stop.abort();
        },
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.stdout.off('error', onSignal);
    }
  });
}
