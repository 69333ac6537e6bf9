// Which backends this run talks to: embedded stand-ins by default, real
// PostgreSQL / Redis when DATABASE_URL / REDIS_URL are set.
export function backendName(): string {
  const db = process.env.DATABASE_URL ? 'postgres' : 'embedded';
  const cache = process.env.REDIS_URL ? 'redis' : 'embedded';
  return `db:${db} cache:${cache}`;
}
