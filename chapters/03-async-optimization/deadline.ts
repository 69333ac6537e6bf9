// Give a piece of work a deadline. A port of the guide's
// `tokio::time::timeout(Duration::from_secs(5), operation)`. Read lesson.mdx
// beside this file, then run: npm run chapter 3

/** The guide's timeout for a tool's slow operation. */
export const TOOL_TIMEOUT_MS = 5_000;

export interface DeadlineOptions {
  /** How long the work may take; TOOL_TIMEOUT_MS unless given. */
  timeoutMs?: number;
  /** The caller's own signal, e.g. the MCP request's: aborting it stops the work too. */
  signal?: AbortSignal;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

// #region with-deadline
export function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  { timeoutMs = TOOL_TIMEOUT_MS, signal = new AbortController().signal }: DeadlineOptions = {},
): Promise<T> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  // Whichever settles first wins.
  return Promise.race([work(signal), timeout]);
}
// #endregion with-deadline
