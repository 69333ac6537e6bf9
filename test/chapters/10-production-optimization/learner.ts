// Where the learner files being scored are, for the server processes the
// checks start themselves. The engine hides its settings (WORKBOOK_*) from the
// code under test, so a grandchild would not find them: the check process
// works the folder out and hands it over explicitly.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chapterDir, engineSetting } from '../../../workbook/paths.ts';
import spec from './spec.ts';

/** In the check process: the folder holding the files this run scores (a snapshot, a variant, chapters/ or solutions/). */
export function learnerDir(): string {
  const tree = (engineSetting('WORKBOOK_TREE') ?? process.env.WORKBOOK_TREE) === 'chapters' ? 'chapters' : 'solutions';
  return chapterDir(tree, spec);
}

/** In a server process the check started: import one learner file from the folder it was given. */
export async function loadLearnerFile<Module>(file: string): Promise<Module> {
  if (!spec.files.includes(file)) throw new Error(`${file} is not one of chapter 10's files`);
  const dir = process.env.SHUTDOWN_LEARNER_DIR;
  if (!dir) throw new Error('SHUTDOWN_LEARNER_DIR is not set: this process is started by the chapter 10 checks');
  return (await import(pathToFileURL(path.join(dir, file)).href)) as Module;
}
