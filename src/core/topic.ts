import { InvalidTopicError, quoteInput } from './errors.js';
import { parseRealm } from './realm.js';

declare const topicBrand: unique symbol;
/** A validated topic (see {@link parseTopic}). */
export type Topic = string & { readonly [topicBrand]: true };

const SEGMENT_RE = /^[A-Za-z0-9_-]+$/;
/** The whole rule in one test (the hot path: every publish and received message). */
const TOPIC_RE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const MAX_LENGTH = 255;

function topicProblem(s: unknown): string | null {
  if (typeof s !== 'string') return 'it is not a string';
  if (s.length === 0) return 'it is empty';
  if (s.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (TOPIC_RE.test(s)) return null;
  // Invalid: find which rule it breaks, for the message.
  for (const segment of s.split('.')) {
    if (segment.length === 0) return 'it has an empty segment';
    if (!SEGMENT_RE.test(segment)) {
      return `segment ${quoteInput(segment, 20)} may only hold A-Z, a-z, 0-9, "_" and "-"`;
    }
  }
  return 'it is not dot-separated segments'; // unreachable when the regexes agree
}

/**
 * A topic is dot-separated segments of `A-Za-z0-9_-` (none empty), ≤ 255 characters,
 * e.g. `hello.world`. Throws {@link InvalidTopicError} otherwise.
 */
export function parseTopic(s: string): Topic {
  const problem = topicProblem(s);
  if (problem !== null) throw new InvalidTopicError(`Invalid topic ${quoteInput(s)}: ${problem}`);
  return s as Topic;
}

/** True when `s` is a valid topic. */
export function isTopic(s: unknown): s is Topic {
  return topicProblem(s) === null;
}

/**
 * The topic as it travels on the mesh, namespaced by its realm:
 * `qualifyTopic('org.example.mesh', 'hello.world')` is `org.example.mesh.hello.world`.
 * Validates both parts.
 */
export function qualifyTopic(realm: string, topic: string): string {
  return `${parseRealm(realm)}.${parseTopic(topic)}`;
}
