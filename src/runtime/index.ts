export {
  type AbortOptions,
  deadline,
  raceAbort,
  throwIfAborted,
  toAbortError,
  withDeadline,
} from './abort.js';
export { AsyncQueue } from './async-queue.js';
export { type BackoffOptions, backoffDelay, backoffOptions } from './backoff.js';
export { concatBytes } from './bytes.js';
export { ChurnMap, ChurnSet } from './churn.js';
export { type Clock, systemClock, type TimerHandle } from './clock.js';
export { type Deadline, DeadlineQueue } from './deadlines.js';
export { Emitter, type ListenerErrorHandler } from './emitter.js';
export { MinHeap } from './min-heap.js';
export { dropOldest } from './oldest.js';
export { isPromiseLike } from './promise.js';
export { type Random, SeededRandom, systemRandom } from './random.js';
export { TurnBudget } from './turns.js';
export { VirtualClock } from './virtual-clock.js';
