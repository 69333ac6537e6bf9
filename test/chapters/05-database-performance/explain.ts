// Reads the plan PostgreSQL would use for a statement the code under test
// sent (its text and parameters as recorded), for the index check and for the
// bench's detail line. Plain EXPLAIN, inside a transaction that is rolled
// back: nothing runs. With `seqscan: false` sequential scans are priced out of
// reach: on a small table the planner rightly prefers reading every row, so
// that is how a check asks whether an index *can* serve the query.
import type { Database } from '../../../workbook/backends/postgres-types.ts';

export async function explainPlan(db: Database, text: string, params: unknown[], { seqscan = true } = {}): Promise<string> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    if (!seqscan) await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}
