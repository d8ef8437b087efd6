/** Receives listener failures (a throwing listener must not break the emitter's owner). */
export type ListenerErrorHandler = (err: unknown, event: string) => void;

/**
 * A small typed event emitter: `on` returns the unsubscribe function, and a listener
 * that throws is reported to `onListenerError` instead of breaking the caller.
 */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<(e: never) => void>>();

  constructor(private readonly onListenerError: ListenerErrorHandler = () => {}) {}

  on<K extends keyof Events>(event: K, listener: (e: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as (e: never) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** True when someone listens (lets callers skip building an event nobody reads). */
  has(event: keyof Events): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(event: K, e: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as (e: Events[K]) => void)(e);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
  }
}
