/** Received events kept in order, with waiters for the first one matching a predicate (already received ones count). */
export interface EventLog<E> {
  readonly events: E[];
  push(event: E): void;
  next(pred: (e: E) => boolean, timeoutMs: number, describe: () => string): Promise<E>;
}

export function eventLog<E>(): EventLog<E> {
  const events: E[] = [];
  const waiters = new Set<{ pred: (e: E) => boolean; resolve: (e: E) => void }>();
  return {
    events,
    push(event) {
      events.push(event);
      for (const w of waiters) if (w.pred(event)) {
        waiters.delete(w);
        w.resolve(event);
      }
    },
    next(pred, timeoutMs, describe) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(describe()));
        }, timeoutMs).unref();
      });
    },
  };
}
