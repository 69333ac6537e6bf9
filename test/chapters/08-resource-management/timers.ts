// Timers left running by the code under test. process.getActiveResourcesInfo()
// is the gauge to watch in production (one 'Timeout' per ref'd timer), but in
// a test process the runner's own timers come and go beside ours. So while a
// scenario runs, an async hook notes every Timeout created from the chapter's
// own files, forgets it when it fires or is cleared, and at the end counts the
// ones still pending that keep the process alive (ref'd). An unref'd timer,
// like AbortSignal.timeout()'s, is not counted.
import { createHook } from 'node:async_hooks';
import { findChapter } from '../../../workbook/find-chapter.ts';
import { chapterDir } from '../../../workbook/paths.ts';
import { currentTree } from '../../../workbook/authoring/subject.ts';

export interface TimerWatch {
  /** Ref'd timers created by the chapter's code since the watch began, still pending. */
  pending(): number;
  stop(): void;
}

export function watchTimers(chapterNumber = 8): TimerWatch {
  const source = chapterDir(currentTree(), findChapter(chapterNumber));
  const live = new Map<number, NodeJS.Timeout>();
  const hook = createHook({
    init(asyncId, type, _triggerAsyncId, resource) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const stack = new Error().stack ?? '';
      Error.stackTraceLimit = limit;
      if (stack.includes(source)) live.set(asyncId, resource as NodeJS.Timeout);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  });
  hook.enable();
  return {
    pending: () => [...live.values()].filter((timer) => timer.hasRef()).length,
    stop: () => hook.disable(),
  };
}

/** The production gauge: ref'd timers in the whole process. */
export const activeTimers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
