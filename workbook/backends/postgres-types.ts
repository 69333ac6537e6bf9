// The database interface chapter 5's code is written against. The test side
// uses the reference's declaration, so there is one contract; pg.Pool and the
// embedded adapter both fit it.
export type {
  Database,
  PooledClient,
  PoolCounters,
  Queryable,
  QueryResult,
} from '../../solutions/05-database-performance/pool.ts';
