import { expect, test } from 'vitest';
import { findChapter, UnknownChapterError } from '../../workbook/find-chapter.ts';
import { locate } from '../../workbook/running/locate.ts';
import { root } from '../../workbook/paths.ts';

test('a chapter is found by number, zero-padded number or slug', () => {
  expect(findChapter('1').slug).toBe('01-performance-philosophy');
  expect(findChapter('01').number).toBe(1);
  expect(findChapter('performance-philosophy').number).toBe(1);
  expect(findChapter(2).number).toBe(2);
});

test('an unknown chapter lists the chapters there are', () => {
  expect(() => findChapter('99')).toThrow(UnknownChapterError);
  expect(() => findChapter('banana')).toThrow(/Chapters:[\s\S]*Performance Philosophy/);
});

test('locate prefers a frame in the learner’s files over engine frames', () => {
  const frames = [
    { file: `${root}/node_modules/x/index.js`, line: 1, column: 1 },
    { file: `${root}/chapters/01-performance-philosophy/search-server.ts`, line: 42, column: 7 },
  ];
  expect(locate(frames)).toEqual({ file: 'chapters/01-performance-philosophy/search-server.ts', line: 42, column: 7 });
});

test('locate falls back to a path:line:col in a compiler message', () => {
  expect(locate([], `Transform failed: ${root}/chapters/a.ts:3:9: ERROR: Expected ";"`)).toEqual({
    file: 'chapters/a.ts',
    line: 3,
    column: 9,
  });
});
