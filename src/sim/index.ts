export { AliveIndex } from './alive-index.js';
export {
  type DetectionFigures,
  type JoinFigures,
  measureJoin,
  measureKill,
  measureTraffic,
  quantile,
  type TrafficFigures,
} from './measure.js';
export {
  type SimHost,
  type SimLinkOptions,
  SimNetwork,
  type SimNetworkStats,
  type SizeHint,
} from './network.js';
export { type Observation, Recorder } from './recorder.js';
export { type FillOptions, fillFromMembers, type RouteMember } from './route-fill.js';
export { type RouteNode, RouteSim, type RouteSimOptions } from './route-sim.js';
export {
  type LookupLinkOptions,
  LookupNetwork,
  type LookupPeer,
} from './routing-net.js';
export {
  type LookupOutcome,
  type LookupSimReport,
  type RouteFailure,
  type RouteOutcome,
  type RouteReport,
  summarize,
  summarizeRoutes,
} from './routing-report.js';
export { LookupSim, type LookupSimOptions } from './routing-sim.js';
export { SimClock } from './sim-clock.js';
export { exactSizer, type SyncMsg, syncSize } from './sizes.js';
export { type SimNode, SwimCluster, type SwimClusterOptions } from './swim-cluster.js';
