// SIGTERM/SIGINT with chapter 10's installGracefulShutdown: stop taking work,
// let the calls in flight finish (bounded), close the HTTP server, then the
// backends, and exit (0 when everything drained). This file only gives the
// solution the server shape it drives: beginDrain, drained, close, a logger.
import {
  installGracefulShutdown,
  type Closable,
  type DrainableServer,
  type ShutdownHandle,
} from '../../solutions/10-production-optimization/shutdown.ts';
import type { RunningHttpServer } from '../http/server.ts';
import type { Logger } from '../log.ts';

export interface ShutdownParts {
  running: RunningHttpServer;
  /** Calls admitted and not yet answered. */
  inFlight(): number;
  log: Logger;
  /** Closed in order once the HTTP side is down (the backends). */
  resources: Closable[];
  graceMs: number;
  /** How the process ends (tests pass their own). */
  exit?: (code: number) => void;
}

const DRAIN_POLL_MS = 10;

export function drainable(parts: Omit<ShutdownParts, 'resources' | 'graceMs' | 'exit'>): DrainableServer {
  const { running, inFlight, log } = parts;
  return {
    beginDrain() {
      // New calls on open connections get 503 + Connection: close; no new connections.
      running.startDraining();
      running.http.close();
      running.http.closeIdleConnections();
    },
    async drained() {
      // A count, not an event: the transport answers calls from many places.
      while (inFlight() > 0) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    },
    async close() {
      // Past the drain deadline: cancel what still runs (its client gets an error), drop every connection.
      await running.transport.close();
      running.http.closeAllConnections();
    },
    telemetry: {
      logger: log,
      close: async () => {
        log.flush();
      },
    },
  };
}

export function installShutdown(parts: ShutdownParts): ShutdownHandle {
  return installGracefulShutdown(drainable(parts), parts.resources, {
    drainTimeoutMs: parts.graceMs,
    ...(parts.exit && { exit: parts.exit }),
  });
}
