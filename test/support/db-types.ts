// The database interface chapter 5's code is written against, as the test
// side sees it. Structurally the same as the chapter's own (pool.ts), so
// either side can be handed to the other; pg.Pool fits it too.
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

export interface PooledClient extends Queryable {
  release(error?: Error | boolean): void;
}

export interface Database extends Queryable {
  connect(): Promise<PooledClient>;
}

/** pg.Pool's counters, kept by the embedded adapter too. */
export interface PoolCounters {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}
