// Read-only tools: the same questions answered through chapter 6's
// multi-level cache (cached) and straight from the database (uncached), plus
// the in-memory lookup the server benchmark uses.
import { z } from 'zod';
import { searchUsers, usersByIds, type User } from '../../solutions/05-database-performance/repository.ts';
import type { ItemStore } from '../../solutions/06-caching-strategies/multi-level-cache.ts';
import type { ServerDatabase } from '../backends.ts';
import { createLookup } from './lookup.ts';
import { json, onDatabase, recorded, text, throughCache, TOOL_CLASS_META, type SpanRecorder, type ToolClass, type ToolRegistrar } from './context.ts';

const userId = z.number().int().min(1).max(2_147_483_647);
const searchTerm = z.string().trim().min(1).max(100);
const readOnly = { readOnlyHint: true, openWorldHint: false } as const;
const meta = (cls: ToolClass) => ({ [TOOL_CLASS_META]: cls });

/**
 * The database behind the cache (its L3). Keys name what they hold:
 * `<prefix>user:<id>` is one user as JSON, `<prefix>search:<term>` a search result.
 * A miss shows in the profile as a `db load` span inside the call's `cache get`.
 */
export function cacheStore(database: ServerDatabase, keyPrefix: string, profiler: SpanRecorder): ItemStore {
  const userKey = `${keyPrefix}user:`;
  const searchKey = `${keyPrefix}search:`;
  return {
    load: (key) =>
      profiler.span('db load', async () => {
        await database.ready();
        if (key.startsWith(userKey)) {
          const id = Number(key.slice(userKey.length));
          const user = (await usersByIds(database.db, [id])).get(id);
          return user && JSON.stringify(user);
        }
        if (key.startsWith(searchKey)) return JSON.stringify(await searchUsers(database.db, key.slice(searchKey.length)));
        return undefined;
      }),
    async save(key, value) {
      await database.ready();
      if (!key.startsWith(userKey)) throw new Error(`only users are written through the store, not ${key}`);
      const user = JSON.parse(value) as User;
      await database.db.query('UPDATE users SET username = $2, email = $3 WHERE id = $1', [
        Number(key.slice(userKey.length)),
        user.username,
        user.email,
      ]);
    },
  };
}

export const registerQueryTools: ToolRegistrar = (server, ctx) => {
  const lookup = createLookup();

  server.registerTool(
    'lookup',
    {
      description: 'An item from the in-memory catalogue (10 000 items, key "item-N"), served from a bounded cache.',
      inputSchema: { key: z.string().min(1).max(200).meta({ examples: ['item-1', 'item-42', 'item-9999'] }) },
      annotations: readOnly,
      _meta: meta('cached'),
    },
    recorded(ctx, 'lookup', async ({ key }) => text(lookup.get(key))),
  );

  server.registerTool(
    'get_user',
    {
      description: 'One user by id, read through the multi-level cache (process, Redis, database).',
      inputSchema: { id: userId.meta({ examples: [1, 2, 3, 10, 100, 500] }) },
      annotations: readOnly,
      _meta: meta('cached'),
    },
    recorded(ctx, 'get_user', async ({ id }, { signal }) => {
      const found = await throughCache(ctx, signal, () => ctx.cache.get(`${ctx.keyPrefix}user:${id}`));
      return found === undefined ? text(`no user with id ${id}`) : text(found);
    }),
  );

  server.registerTool(
    'search_users_cached',
    {
      description: 'Users whose name or email contains the term (newest 20), cached for 5 minutes.',
      inputSchema: { term: searchTerm.meta({ examples: ['user1', 'user42', 'example', 'user7'] }) },
      annotations: readOnly,
      _meta: meta('cached'),
    },
    recorded(ctx, 'search_users_cached', async ({ term }, { signal }) => {
      const key = `${ctx.keyPrefix}search:${term.toLowerCase()}`;
      return text((await throughCache(ctx, signal, () => ctx.cache.get(key))) ?? '[]');
    }),
  );

  server.registerTool(
    'search_users',
    {
      description: 'Users whose name or email contains the term, straight from the database (trigram index).',
      inputSchema: {
        term: searchTerm.meta({ examples: ['user1', 'user42', 'example'] }),
        limit: z.number().int().min(1).max(100).optional(),
      },
      annotations: readOnly,
      _meta: meta('uncached'),
    },
    recorded(ctx, 'search_users', async ({ term, limit }, { signal }) =>
      json(await onDatabase(ctx, 'search_users', signal, () => searchUsers(ctx.database.db, term, limit))),
    ),
  );

  server.registerTool(
    'get_users',
    {
      description: 'Up to 100 users by id in one database round trip.',
      inputSchema: { ids: z.array(userId).min(1).max(100).meta({ examples: [[1, 2, 3], [10, 20]] }) },
      annotations: readOnly,
      _meta: meta('uncached'),
    },
    recorded(ctx, 'get_users', async ({ ids }, { signal }) => {
      const users = await onDatabase(ctx, 'get_users', signal, () => usersByIds(ctx.database.db, ids));
      return json(ids.map((id) => users.get(id) ?? null));
    }),
  );
};
