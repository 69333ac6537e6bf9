// Start a server process that prints its URL (ours logs {"url": …} on
// stderr), wait for that URL, and stop it again. Used by the load test and the
// server benchmark; every server listens on 127.0.0.1 port 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Launched {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const URL_PATTERN = /(http:\/\/(?:127\.0\.0\.1|localhost):\d+\/mcp)/;

export async function launch(command: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Launched> {
  const child = spawn(command, args, { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} printed no URL in ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = URL_PATTERN.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  // Keep draining its output so a chatty server never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url,
    pid: child.pid!,
    child,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** RSS (bytes) and CPU time (ms) of a process, from /proc. Undefined when it is gone. */
export function processUsage(pid: number): { rss: number; cpuMs: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8') as string;
    const stat = (readFileSync(`/proc/${pid}/stat`, 'utf8') as string).split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat (utime, stime), in clock ticks of 10 ms on Linux.
    const ticks = Number(stat[11]) + Number(stat[12]);
    return { rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024, cpuMs: ticks * 10 };
  } catch {
    return undefined;
  }
}
