/** Adds one to `counts[key]` (stats objects keep rejections by reason). */
export function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
