// The deadline built by hand: one AbortController that the caller's signal and
// a timer both abort, and a timer that is cleared the moment the work settles,
// so nothing stays armed after a fast call.
export const TOOL_TIMEOUT_MS = 5_000;

export interface DeadlineOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  { timeoutMs = TOOL_TIMEOUT_MS, signal }: DeadlineOptions = {},
): Promise<T> {
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  const onCallerAbort = () => stop.abort(signal?.reason);
  if (signal?.aborted) onCallerAbort();
  else signal?.addEventListener('abort', onCallerAbort, { once: true });

  const cleanUp = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  };
  return new Promise<T>((resolve, reject) => {
    if (stop.signal.aborted) {
      cleanUp();
      return reject(stop.signal.reason);
    }
    stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true });
    work(stop.signal).then(resolve, reject).finally(cleanUp);
  });
}
