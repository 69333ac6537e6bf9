// Child process: type-checks the learner's files (see typecheck.ts) while the
// checks run, so the compiler's full pass costs no wall-clock time.
// Usage: typecheck-child.ts <file>...
import { emit } from './child.ts';
import { typecheck } from './typecheck.ts';

emit({ type: 'problems', problems: typecheck(process.argv.slice(2)) });
emit({ type: 'done' });
