// The door every JSON-RPC request passes before the McpServer sees it:
// chapter 10's admission control (calls in flight, event-loop delay) and, for
// tools/call, chapter 10's per-client token bucket in Redis. This file only
// adapts them to the HTTP handler's shape: one decision with the HTTP status,
// Retry-After and message of a refusal, and the counters the status tool shows.
import type { Redis } from 'ioredis';
import { createAdmissionControl, type AdmissionOptions } from '../../solutions/10-production-optimization/admission.ts';
import { createRateLimiter, type RateLimitOptions } from '../../solutions/10-production-optimization/rate-limit.ts';

export type Decision =
  | { admitted: true; release(): void }
  | { admitted: false; status: 429 | 503; retryAfterSeconds: number; message: string };

export interface Door {
  /** Admit one request now or refuse it now (never queues). Tool calls also pay a token from `client`'s bucket. */
  admit(client: string, toolCall: boolean): Promise<Decision>;
  inFlight(): number;
  peakInFlight(): number;
  /** Refused by admission control (503). */
  shed(): number;
  /** Refused by the rate limit (429). */
  rateLimited(): number;
  /** Redis errors the limiter met (each let its call through). */
  rateLimitErrors(): number;
  readonly rateLimitOn: boolean;
  close(): void;
}

export interface DoorOptions {
  admission: AdmissionOptions;
  /** The limiter's Redis and bucket settings; no limiter without it. */
  rateLimit?: { redis: Redis } & RateLimitOptions;
  /** Told of each refusal, for the Prometheus counters (chapter 10's telemetry). */
  onShed?(reason: string): void;
  onRateLimited?(client: string): void;
}

export function createDoor(options: DoorOptions): Door {
  const admission = createAdmissionControl(options.admission);
  const limiter = options.rateLimit ? createRateLimiter(options.rateLimit.redis, options.rateLimit) : undefined;
  let rateLimited = 0;

  return {
    async admit(client, toolCall) {
      // Admission first: refusing must cost less than anything else we do.
      const ticket = await admission.admit();
      if (!ticket.admitted) {
        options.onShed?.(ticket.reason);
        const why = ticket.reason === 'in-flight' ? 'too many calls in flight' : 'the event loop is lagging';
        return { admitted: false, status: 503, retryAfterSeconds: ticket.retryAfterSeconds, message: `Server overloaded (${why}): retry after ${ticket.retryAfterSeconds} s` };
      }
      if (!limiter || !toolCall) return ticket;
      const decision = await limiter.take(client);
      if (decision.allowed) return ticket;
      ticket.release();
      rateLimited++;
      options.onRateLimited?.(client);
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      return { admitted: false, status: 429, retryAfterSeconds: seconds, message: `Rate limit exceeded for client ${JSON.stringify(client)}: retry after ${seconds} s` };
    },
    inFlight: () => admission.inFlight(),
    peakInFlight: () => admission.stats().peakInFlight,
    shed: () => admission.stats().shed,
    rateLimited: () => rateLimited,
    rateLimitErrors: () => limiter?.errors() ?? 0,
    rateLimitOn: limiter !== undefined,
    close: () => admission.close(),
  };
}
