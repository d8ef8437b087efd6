import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { renderHtml } from './html.js';
import type { LoadtestReport } from './report.js';

/** Writes `report.json` and `report.html` into `dir` (created if needed); returns their paths. */
export async function writeReports(
  report: LoadtestReport,
  dir: string,
): Promise<{ json: string; html: string }> {
  const out = resolve(dir);
  await mkdir(out, { recursive: true });
  const json = join(out, 'report.json');
  const html = join(out, 'report.html');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, renderHtml(report));
  return { json, html };
}
