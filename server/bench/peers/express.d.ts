// express 5 ships no types and @types/express is not a dependency: the peer only needs these calls.
declare module 'express' {
  import type { RequestListener } from 'node:http';
  interface App extends RequestListener {
    use(handler: unknown): void;
    post(path: string, handler: (req: any, res: any) => unknown): void;
  }
  interface Express {
    (): App;
    json(): unknown;
  }
  const express: Express;
  export default express;
}
