// Child process: type-checks the learner's files (see typecheck.ts) while the
// checks run, so the compiler's full pass costs no wall-clock time. Started
// ahead of time (watch mode), it parses the declarations while it waits.
// Usage: typecheck-child.ts <file>...
import { emit, waitForGo, watchParent } from './in-child.ts';
import { createProgram, typecheck } from './typecheck.ts';

watchParent();
const files = process.argv.slice(2);
const warm = process.env.WORKBOOK_HELD ? createProgram(files) : undefined;
if (process.env.WORKBOOK_HELD) await waitForGo();
emit({ type: 'problems', problems: typecheck(files, warm) });
emit({ type: 'done' });
process.exit(0);
