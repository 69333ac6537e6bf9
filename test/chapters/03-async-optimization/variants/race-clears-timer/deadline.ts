// Promise.race against a timer, tidied up: the timer is cleared when the work
// wins, and the caller's signal is passed down. But nothing tells the work
// that the deadline passed, so it runs on after the caller has its error.
export const TOOL_TIMEOUT_MS = 5_000;

export interface DeadlineOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  { timeoutMs = TOOL_TIMEOUT_MS, signal = new AbortController().signal }: DeadlineOptions = {},
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  });
  const cancelled = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  try {
    return await Promise.race([work(signal), deadline, cancelled]);
  } finally {
    clearTimeout(timer);
  }
}
