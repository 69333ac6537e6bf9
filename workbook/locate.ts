// Picks the line a learner should look at: the first stack frame in their own
// files (chapters/ or solutions/), else the first frame in a check, else a
// "path:line:col" found in a compiler message.
import path from 'node:path';
import { relative, root } from './paths.ts';
import type { SourceLocation } from './types.ts';

interface Frame {
  file: string;
  line: number;
  column: number;
}

export function locate(frames: readonly Frame[], message = ''): SourceLocation | undefined {
  const inTree = (dir: string) => (frame: Frame) => frame.file.startsWith(path.join(root, dir) + path.sep);
  const frame = frames.find(inTree('chapters')) ?? frames.find(inTree('solutions')) ?? frames.find(inTree('test'));
  if (frame) return { file: relative(frame.file), line: frame.line, column: frame.column };
  const match = /((?:\/|\b)[\w./-]+\.tsx?):(\d+):(\d+)/.exec(message);
  if (match) return { file: relative(path.resolve(root, match[1]!)), line: Number(match[2]), column: Number(match[3]) };
  return undefined;
}
