// The tables chapter 5's code works on, and the reference server serves: one
// definition for the checks, the benches, the lesson and the server.

// #region tables
export const TABLES_SQL = [
  `CREATE TABLE users (
     id serial PRIMARY KEY,
     username text NOT NULL UNIQUE,
     email text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE documents (
     id serial PRIMARY KEY,
     content text NOT NULL,
     version integer NOT NULL DEFAULT 1
   )`,
];
// #endregion tables
