// Structured logs on stderr: stdout belongs to the stdio transport's JSON-RPC.
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}
