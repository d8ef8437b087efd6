/** Log levels from most to least verbose; `silent` turns logging off. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One logging method: a message, or a structured object plus an optional message. */
export interface LogFn {
  (msg: string): void;
  (obj: object, msg?: string): void;
}

/**
 * The narrow logging contract every Macula component takes. Put structured data in `obj`
 * (errors under `err`), not in the message, so JSON output stays queryable.
 */
export interface Logger {
  /** The minimum level this logger writes. */
  readonly level: LogLevel;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** Whether a call at `level` would be written; use it to skip building expensive log data. */
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger that adds `bindings` (e.g. `{ component: 'transport' }`) to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * The slice of a {@link Logger} most components take: structured debug/info/warn lines.
 * pino, {@link Logger} and a plain object of three no-ops all fit.
 */
export interface LogSink {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

const noop = (): void => {};

/**
 * A logger that drops everything at no cost. It is the default for library components,
 * so Macula stays quiet unless the application passes a logger in.
 */
export const silentLogger: Logger = Object.freeze({
  level: 'silent',
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  isLevelEnabled: () => false,
  child: () => silentLogger,
});
