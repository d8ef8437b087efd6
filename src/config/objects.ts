/** A plain `{}` object (not an array, null, Date, …). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges `over` onto `base`: plain objects merge key by key, anything else (arrays included)
 * replaces; `undefined` in `over` means "not set" so callers can pass optional flags as-is.
 */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

/** Every path set in `data`, formatted like issue paths: `listen`, `listen.port`, `discovery.staticNodes[0]`. */
export function definedPaths(data: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(data)) {
    data.forEach((v, i) => {
      const p = `${prefix}[${i}]`;
      out.add(p);
      definedPaths(v, p, out);
    });
  } else if (isPlainObject(data)) {
    for (const [k, v] of Object.entries(data)) {
      if (v === undefined) continue;
      const p = prefix === '' ? k : `${prefix}.${k}`;
      out.add(p);
      definedPaths(v, p, out);
    }
  }
  return out;
}

/** `a.b[1]` → `['a', 'a.b', 'a.b[1]']`, shortest first. */
export function pathAncestors(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < path.length; i++) {
    if (path[i] === '.' || path[i] === '[') out.push(path.slice(0, i));
  }
  if (path !== '') out.push(path);
  return out;
}
