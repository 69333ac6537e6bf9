// Reads the plan PostgreSQL would use for a statement, with sequential scans
// priced out of reach: on a small table the planner rightly prefers reading
// every row, so this is how a check asks whether an index *can* serve a query.
// Plain EXPLAIN, inside a transaction that is rolled back: nothing runs.
import type { Database } from './db-types.ts';

export async function explainWithoutSeqScans(db: Database, text: string, params: unknown[]): Promise<string> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}
