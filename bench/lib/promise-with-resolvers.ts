/**
 * libp2p 3 needs Node 22 (`Promise.withResolvers`); the project runs on Node 20, so the
 * libp2p code of the benches (transport, peers) imports this standard polyfill before any
 * libp2p module is evaluated.
 */
const P = Promise as unknown as { withResolvers?: unknown };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
