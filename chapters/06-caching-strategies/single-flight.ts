// Single flight: concurrent callers asking for the same key should share one load.

// #region single-flight
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** Run `load` for `key`. */
  run(key: string, load: () => Promise<T>): Promise<T> {
    // Every caller gets a load of its own.
    return load();
  }

  /** Loads running now. */
  get size(): number {
    return this.#inFlight.size;
  }
}
// #endregion single-flight
