import { z } from 'zod';
import { isRealm } from '../core/index.js';
import { LOG_LEVELS } from '../logging/index.js';
import { ConfigError } from './errors.js';
import { HostPortSyntaxError, parseHostPort } from './host-port.js';
import { showValue, toConfigIssues } from './issues.js';
import { DISCOVERY_METHODS, type NodeConfig } from './types.js';

function intBetween(min: number, max: number) {
  return z
    .number()
    .refine(Number.isInteger, {
      error: (iss) => `must be an integer (got ${showValue(iss.input)})`,
      abort: true,
    })
    .refine((n) => n >= min && n <= max, {
      error: (iss) => `must be between ${min} and ${max} (got ${showValue(iss.input)})`,
      abort: true,
    });
}

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const staticNode = z.string().superRefine((s, ctx) => {
  try {
    parseHostPort(s);
  } catch (err) {
    if (!(err instanceof HostPortSyntaxError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
});

const certFiles = z.strictObject({ ca: nonEmpty, cert: nonEmpty, key: nonEmpty });

/** The zod schema behind {@link parseConfig}. Objects are strict so misspelt options are reported. */
export const nodeConfigSchema = z.strictObject({
  name: nonEmpty.optional(),
  // The same rule as core's parseRealm (labels ≤ 63, no leading/trailing hyphen), so a
  // realm the config accepts is never refused later when the identity is made.
  realm: z.string().refine(isRealm, {
    error: (iss) =>
      `must be reverse-DNS like org.example.mesh: two or more dot-separated labels of a-z, 0-9 and - (got ${showValue(iss.input)})`,
  }),
  listen: z
    .strictObject({ host: nonEmpty.default('0.0.0.0'), port: intBetween(0, 65535).default(4433) })
    .prefault({}),
  discovery: z
    .strictObject({
      methods: z.array(z.enum(DISCOVERY_METHODS)).default(['static']),
      staticNodes: z.array(staticNode).default([]),
    })
    .prefault({}),
  topology: z
    .strictObject({ type: z.literal('k-regular').default('k-regular'), k: intBetween(1, 64).default(2) })
    .prefault({}),
  cert: z
    .union([z.literal('auto'), certFiles], {
      error: (iss) => `must be "auto" or { ca, cert, key } paths of PEM files (got ${showValue(iss.input)})`,
    })
    .default('auto'),
  dataDir: nonEmpty.default('.macula'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
});

/**
 * Validates a plain object (camelCase keys) and fills defaults. Does not read files or the
 * environment and does not accept snake_case keys; see {@link resolveConfig} for that.
 * @throws ConfigError listing every problem as a `path: message` line.
 */
export function parseConfig(input: unknown): NodeConfig {
  const result = nodeConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(toConfigIssues(result.error.issues));
  return result.data;
}
