// Worker thread for the shared-counter checks: attaches to the learner's
// SharedCounter, waits at a gate so every worker starts at once, then
// increments until the main thread says stop (and at least `increments`
// times), so the threads' increments overlap for a good while even on a busy
// machine. It reports how many increments it made; none may go missing.
// Plain JavaScript on purpose: a worker thread gets no TypeScript loader from
// its parent (not inside vitest, and not from `node --import tsx` on Node 20),
// so the parent hands it the learner's module already compiled, as a data: URL.
import { parentPort, workerData } from 'node:worker_threads';

const { SharedCounter } = await import(workerData.moduleUrl);
const counter = SharedCounter.attach(workerData.buffer);
const flags = new Int32Array(workerData.flags);
const [GO, STOP] = [0, 1];

parentPort.postMessage({ type: 'ready' });
Atomics.wait(flags, GO, 0);
let made = 0;
while (made < workerData.increments || Atomics.load(flags, STOP) === 0) {
  for (let i = 0; i < 1024; i++) counter.increment();
  made += 1024;
}
parentPort.postMessage({ type: 'done', made });
