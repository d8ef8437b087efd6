/** CLI output: human lines in the seed's `[info] …` style, or one JSON object per line with `--json`. */
export interface Output {
  info(text: string, event?: Record<string, unknown>): void;
  error(text: string, event?: Record<string, unknown>): void;
  result(value: unknown, human: () => string): void;
}

export function makeOutput(json: boolean): Output {
  return {
    info(text, event) {
      if (json) process.stdout.write(`${JSON.stringify({ level: 'info', msg: text, ...event })}\n`);
      else process.stdout.write(`[info] ${text}\n`);
    },
    error(text, event) {
      if (json) process.stdout.write(`${JSON.stringify({ level: 'error', msg: text, ...event })}\n`);
      else process.stderr.write(`[error] ${text}\n`);
    },
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
    },
  };
}

/** `a3f5b2e1c4d8a7f9...`: how the seed shows node ids. */
export function shortId(hex: string): string {
  return `${hex.slice(0, 16)}...`;
}
