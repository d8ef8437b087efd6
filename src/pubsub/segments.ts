/** The single-segment wildcard. */
export const STAR = '*';
/** The zero-or-more-segments wildcard (last segment only). */
export const GLOBSTAR = '**';

const MAX_TOPIC_LENGTH = 255;

function isSegmentChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    (c >= 65 && c <= 90) || // A-Z
    (c >= 97 && c <= 122) || // a-z
    c === 95 || // _
    c === 45 // -
  );
}

/**
 * Splits a topic into segments, or null when it is not a valid topic. One pass over
 * char codes: the trie's hot path must not run a regex per segment.
 */
export function splitTopic(topic: string): string[] | null {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) return null;
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= topic.length; i++) {
    if (i === topic.length || topic.charCodeAt(i) === 46 /* . */) {
      if (i === start) return null;
      out.push(topic.slice(start, i));
      start = i + 1;
    } else if (!isSegmentChar(topic.charCodeAt(i))) {
      return null;
    }
  }
  return out;
}
