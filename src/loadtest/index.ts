/**
 * `macula loadtest`: N nodes (in-memory in this process, or QUIC child processes) under
 * pub/sub, RPC, formation and failure scenarios, reported as JSON, HTML and a summary table.
 */
export type { AgentApi, MemberEventKind } from './agent-types.js';
export { type SummaryLine, summaryLine, summaryTable } from './describe.js';
export { LoadtestError, type LoadtestErrorCode } from './errors.js';
export { Histogram, type HistogramBin, type HistogramData } from './histogram.js';
export { renderHtml } from './html.js';
export {
  FAULTS,
  type FaultKind,
  type LoadtestInput,
  type LoadtestOptions,
  parseDuration,
  resolveOptions,
  SCENARIOS,
  type ScenarioName,
} from './options.js';
export type {
  FailureStats,
  FormationStats,
  LatencySummary,
  LoadtestReport,
  PubSubStats,
  RpcStats,
  ScenarioReport,
  SeriesReport,
  TimelineEvent,
} from './report.js';
export { type RunHooks, runLoadtest } from './run.js';
export type { Phase, ProgressEvent } from './scenario-kit.js';
export { escapeHtml } from './svg.js';
export { writeReports } from './write.js';
