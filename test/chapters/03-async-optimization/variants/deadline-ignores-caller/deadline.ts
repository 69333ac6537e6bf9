// Give a piece of work a deadline that really stops it: the work receives an
// AbortSignal that fires at the deadline (or when the caller gives up), and
// the caller gets its answer at that moment, not when the work gets round to it.

/** The guide's timeout for a tool's slow operation. */
export const TOOL_TIMEOUT_MS = 5_000;

export interface DeadlineOptions {
  /** How long the work may take; TOOL_TIMEOUT_MS unless given. */
  timeoutMs?: number;
  /** The caller's own signal, e.g. the MCP request's: aborting it stops the work too. */
  signal?: AbortSignal;
}

// #region with-deadline
export function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  { timeoutMs = TOOL_TIMEOUT_MS, signal }: DeadlineOptions = {},
): Promise<T> {
  // One signal for both reasons to stop. AbortSignal.timeout's reason is a
  // DOMException named "TimeoutError"; its timer does not hold the process open.
  const deadline = AbortSignal.timeout(timeoutMs);
  // The caller's signal is kept for logging; only the deadline stops the work.
  void signal;
  const stop = deadline;

  return new Promise<T>((resolve, reject) => {
    if (stop.aborted) return reject(stop.reason);
    // Answer the caller at the deadline even if the work is slow to notice…
    const onAbort = () => reject(stop.reason);
    stop.addEventListener('abort', onAbort, { once: true });
    // …and hand the work the same signal, so it stops instead of burning on.
    work(stop)
      .then(resolve, reject)
      .finally(() => stop.removeEventListener('abort', onAbort));
  });
}
// #endregion with-deadline
