import { isatty } from 'node:tty';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { Logger, LogLevel } from './logger.js';

/** Where log lines go: a writable stream, or a file descriptor (1 = stdout, 2 = stderr). */
export type LogDestination = NodeJS.WritableStream | number;

/** Options for {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Minimum level written. Default `info`. */
  level?: LogLevel;
  /** Logger name, written as `name` on every line. */
  name?: string;
  /**
   * Human-readable, colourised lines instead of JSON. Default: whether the destination is a
   * terminal (stdout when no destination is given); a stream destination defaults to JSON.
   */
  pretty?: boolean;
  /** Default: stdout. */
  destination?: LogDestination;
}

/**
 * Creates a {@link Logger} on pino: one JSON object per line (`level` as a label, `time`,
 * `msg`, bindings), or pino-pretty output when `pretty`. Both write synchronously in-process
 * (no worker transport), so nothing is lost when a short-lived process exits.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const dest = options.destination ?? 1;
  const usePretty = options.pretty ?? (typeof dest === 'number' ? isatty(dest) : false);
  const stream = usePretty
    ? pretty({ destination: dest, sync: true, colorize: typeof dest === 'number' && isatty(dest) })
    : typeof dest === 'number'
      ? pino.destination({ dest, sync: true })
      : dest;
  const root = pino(
    {
      level,
      ...(options.name !== undefined ? { name: options.name } : {}),
      // Labels ("info") rather than pino's numbers (30) keep lines readable and grep-able.
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return wrap(root, level);
}

// Methods are bound once: the level is fixed per logger, so pino never swaps them afterwards.
function wrap(p: pino.Logger, level: LogLevel): Logger {
  return {
    level,
    trace: p.trace.bind(p),
    debug: p.debug.bind(p),
    info: p.info.bind(p),
    warn: p.warn.bind(p),
    error: p.error.bind(p),
    fatal: p.fatal.bind(p),
    isLevelEnabled: (l) => p.isLevelEnabled(l),
    child: (bindings) => wrap(p.child(bindings), level),
  };
}
