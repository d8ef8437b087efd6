/**
 * Whether `v` is a promise or another thenable. Hot paths await a handler's result only
 * when it is one: a plain (synchronous) handler then costs no promise per call.
 */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null | undefined)?.then === 'function';
}
