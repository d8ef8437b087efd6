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
export { SimClock } from './sim-clock.js';
export { exactSizer, type SyncMsg, syncSize } from './sizes.js';
export { type SimNode, SwimCluster, type SwimClusterOptions } from './swim-cluster.js';
