// Picks the line a learner should look at: the first stack frame in their own
// files (the run's snapshot of them, chapters/ or solutions/), else the first
// frame in a check, else a "path:line:col" found in a compiler message.
import path from 'node:path';
import { engineSetting, relative, root } from '../paths.ts';
import type { SourceLocation } from '../types.ts';

interface Frame {
  file: string;
  line: number;
  column: number;
}

export function locate(frames: readonly Frame[], message = ''): SourceLocation | undefined {
  const under = (dir: string | undefined) => (frame: Frame) => Boolean(dir) && frame.file.startsWith(path.resolve(dir!) + path.sep);
  const learnerDirs = [engineSetting('WORKBOOK_SNAPSHOT'), engineSetting('WORKBOOK_LEARNER_ROOT'), path.join(root, 'chapters'), path.join(root, 'solutions')];
  const frame =
    learnerDirs.map((dir) => frames.find(under(dir))).find(Boolean) ?? frames.find(under(path.join(root, 'test')));
  if (frame) return { file: relative(frame.file), line: frame.line, column: frame.column };
  const match = /((?:\/|\b)[\w./-]+\.tsx?):(\d+):(\d+)/.exec(message);
  if (match) return { file: relative(path.resolve(root, match[1]!)), line: Number(match[2]), column: Number(match[3]) };
  return undefined;
}

/** Frames from a V8 stack trace ("    at fn (/path/file.ts:12:5)"). */
export function framesFromStack(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const match of stack.matchAll(/\(?((?:file:\/\/)?\/[^():\s]+):(\d+):(\d+)\)?/g)) {
    frames.push({ file: match[1]!.replace(/^file:\/\//, ''), line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}
