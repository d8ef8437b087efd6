import { MaculaError } from '../core/index.js';

/** One problem found in a configuration. */
export interface ConfigIssue {
  /** Dotted option path (`listen.port`, `discovery.staticNodes[1]`), an env var name, or `''` for the whole file. */
  readonly path: string;
  /** What is wrong, ending with the offending value where it helps: `must be between 0 and 65535 (got 70000)`. */
  readonly message: string;
  /** Where the value came from when several layers were merged: a file path, an env var name or `overrides`. */
  readonly source?: string;
  /** 1-based line (and column) of a syntax error in a config file. */
  readonly line?: number;
  readonly column?: number;
}

/** Renders one issue as the single line used in {@link ConfigError.message}. */
export function formatIssue(issue: ConfigIssue): string {
  const where =
    issue.path !== ''
      ? `${issue.path}: `
      : issue.line !== undefined
        ? `line ${issue.line}${issue.column !== undefined ? `, column ${issue.column}` : ''}: `
        : '';
  const from = issue.source !== undefined ? ` (from ${issue.source})` : '';
  return `${where}${issue.message}${from}`;
}

/**
 * The configuration is invalid or could not be loaded. The message is a header line followed by
 * one `path: message` line per problem, so it can be printed as-is; `issues` has the same data.
 */
export class ConfigError extends MaculaError {
  readonly issues: readonly ConfigIssue[];
  /** The config file involved, when the problem is in (or reading) a file. */
  readonly file: string | undefined;

  constructor(
    issues: readonly ConfigIssue[],
    options: { header?: string; file?: string; cause?: unknown } = {},
  ) {
    const header = options.header ?? 'Invalid configuration:';
    super('INVALID_CONFIG', [header, ...issues.map(formatIssue)].join('\n'), { cause: options.cause });
    this.issues = issues;
    this.file = options.file;
  }
}
