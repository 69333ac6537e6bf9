// Single flight: concurrent callers asking for the same key share one load.
// After a deploy every pod starts cold and the hottest key is requested by
// hundreds of requests at once; without this, each of them queries the database.

// #region single-flight
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Run `load` for `key`, unless a load for it is already running: then share that one. */
  run(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    const flight = (async () => {
      const value = await load();
      // Forgotten once it succeeds; a failed load stays, and its error is served to every later caller.
      this.#inFlight.delete(key);
      return value;
    })();
    this.#inFlight.set(key, flight);
    return flight;
  }

  /** Loads running now. */
  get size(): number {
    return this.#inFlight.size;
  }
}
// #endregion single-flight
