// The real PostgreSQL and Redis the both-modes runs use (this machine's and
// CI's defaults unless DATABASE_URL / REDIS_URL say otherwise).
export { reachable } from '../../workbook/services.ts';

export const realServices = {
  postgres: { env: 'DATABASE_URL', url: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test' },
  redis: { env: 'REDIS_URL', url: process.env.REDIS_URL || 'redis://127.0.0.1:6379' },
} as const;
