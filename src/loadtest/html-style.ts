/** The report's stylesheet (inline: the report loads nothing). */
export const STYLE = `
:root { --fg: #1d2430; --muted: #5b6678; --line: #d5dae3; --bg: #ffffff; --panel: #f6f8fb;
  --s0: #2f6fde; --s1: #e0782b; --s2: #2a9d63; --fault: #d62f3a; --heal: #2a9d63; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 24px; max-width: 1640px; }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 32px 0 8px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
td, th { border-bottom: 1px solid var(--line); padding: 3px 10px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
table.summary td:not(:first-child):not(:last-child) { text-align: right; }
table.stats td:first-child, table.options td:first-child { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; align-items: start; }
figure.chart { margin: 0; padding: 12px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); margin-top: 4px; }
svg.chart-svg { width: 100%; height: auto; display: block; background: var(--bg); }
svg text { font-size: 11px; fill: var(--muted); }
svg .axis-title { font-size: 12px; fill: var(--fg); }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: var(--fg); stroke-width: 1; }
svg rect.bar { fill: var(--s0); }
svg .percentiles-svg rect.bar, .percentiles-svg rect.bar { fill: var(--s1); }
svg polyline.series { fill: none; stroke-width: 2; }
svg polyline.s0 { stroke: var(--s0); } svg polyline.s1 { stroke: var(--s1); } svg polyline.s2 { stroke: var(--s2); }
svg line.marker { stroke-width: 2; stroke-dasharray: 5 4; }
svg line.marker.fault { stroke: var(--fault); } svg line.marker.heal { stroke: var(--heal); }
svg rect.event { fill: var(--muted); }
svg rect.event-fault { fill: var(--fault); } svg rect.event-heal { fill: var(--heal); }
svg rect.event-join, svg rect.event-alive { fill: var(--s2); }
svg rect.event-suspect { fill: var(--s1); } svg rect.event-dead, svg rect.event-leave { fill: var(--fault); }
.legend .key::before { content: ""; display: inline-block; width: 14px; height: 3px; margin: 0 6px 3px 10px; vertical-align: middle; }
.legend .s0::before { background: var(--s0); } .legend .s1::before { background: var(--s1); } .legend .s2::before { background: var(--s2); }
.empty { color: var(--muted); padding: 24px 8px; margin: 0; }
details { margin-top: 8px; } summary { cursor: pointer; color: var(--muted); }
table.percentile-table, table.events { font-size: 13px; }
`;
