import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './errors.js';
import { showValue } from './issues.js';
import { isPlainObject } from './objects.js';

/**
 * Reads and parses a config file, choosing the format by extension (`.json`, `.yaml`, `.yml`).
 * Returns the raw mapping (an empty file is `{}`); it is not normalised or validated.
 * @throws ConfigError naming the file: unreadable, unknown extension, syntax error (with its
 *   line and column) or contents that are not a mapping.
 */
export async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    throw fileError(file, `unsupported extension ${showValue(ext)}; use .json, .yaml or .yml`);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new ConfigError([{ path: '', message: why }], {
      header: `Cannot read config file ${file}:`,
      file,
      cause: err,
    });
  }
  const value = ext === '.json' ? parseJson(file, text) : parseYaml(file, text);
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value))
    throw fileError(file, `must contain a mapping of options (got ${showValue(value)})`);
  return value;
}

function fileError(file: string, message: string, at?: { line: number; column: number }, cause?: unknown) {
  return new ConfigError([{ path: '', message, ...at }], {
    header: `Invalid config file ${file}:`,
    file,
    cause,
  });
}

function parseYaml(file: string, text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = lineCounter.linePos(err.pos[0]);
    const at = { line: pos.line, column: pos.col };
    throw fileError(file, `YAML syntax error: ${err.message.split('\n')[0]}`, at, err);
  }
  return doc.toJS();
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // V8 reports a character offset ("at position 42"); turn it into a line and column.
    const m = /position (\d+)/.exec(message);
    const offset = m !== null ? Number(m[1]) : text.length;
    const before = text.slice(0, offset).split('\n');
    const at = { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
    const short = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/\s*\(line \d+ column \d+\)$/, '');
    throw fileError(file, `JSON syntax error: ${short}`, at, err);
  }
}
