// Tools that change data. Each writes to the database first, then invalidates
// the cache levels that may hold the old answer (chapter 6), so no instance
// serves what was true before the write.
import { z } from 'zod';
import { editDocument } from '../../solutions/05-database-performance/optimistic.ts';
import { insertUsers } from '../../solutions/05-database-performance/repository.ts';
import { json, onDatabase, recorded, TOOL_CLASS_META, type ToolRegistrar } from './context.ts';

const action = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const meta = { [TOOL_CLASS_META]: 'action' };

const newUser = z.object({
  username: z.string().trim().min(1).max(64),
  email: z.string().trim().email().max(254),
});

export const registerActionTools: ToolRegistrar = (server, ctx) => {
  const searchPattern = `${ctx.keyPrefix}search:*`;

  server.registerTool(
    'create_users',
    {
      description: 'Insert up to 100 users in one statement; cached searches are invalidated.',
      inputSchema: { users: z.array(newUser).min(1).max(100) },
      annotations: action,
      _meta: meta,
    },
    recorded(ctx, 'create_users', async ({ users }, { signal }) => {
      const ids = await onDatabase(ctx, 'create_users', signal, () => insertUsers(ctx.database.db, users));
      await ctx.cache.invalidatePattern(searchPattern);
      return json({ ids });
    }),
  );

  server.registerTool(
    'update_user',
    {
      description: "Change a user's name and email; the cached user and cached searches are invalidated.",
      inputSchema: { id: z.number().int().min(1).max(2_147_483_647), username: newUser.shape.username, email: newUser.shape.email },
      annotations: { ...action, idempotentHint: true },
      _meta: meta,
    },
    recorded(ctx, 'update_user', async ({ id, username, email }, { signal }) => {
      const result = await onDatabase(ctx, 'update_user', signal, () =>
        ctx.database.db.query('UPDATE users SET username = $2, email = $3 WHERE id = $1', [id, username, email]),
      );
      if (result.rowCount !== 1) return { ...json({ updated: false }), isError: true, content: [{ type: 'text', text: `no user with id ${id}` }] };
      await ctx.cache.invalidate(`${ctx.keyPrefix}user:${id}`);
      await ctx.cache.invalidatePattern(searchPattern);
      return json({ updated: true, id });
    }),
  );

  server.registerTool(
    'append_to_document',
    {
      description: 'Append text to a document without losing concurrent edits (optimistic locking with retries).',
      inputSchema: { id: z.number().int().min(1).max(2_147_483_647), text: z.string().min(1).max(10_000) },
      annotations: action,
      _meta: meta,
    },
    recorded(ctx, 'append_to_document', async ({ id, text }, { signal }) => {
      const document = await onDatabase(ctx, 'append_to_document', signal, () =>
        editDocument(ctx.database.db, id, (content) => content + text),
      );
      return json({ id: document.id, version: document.version, length: document.content.length });
    }),
  );

  server.registerTool(
    'invalidate_cache',
    {
      description: 'Drop cached entries matching a glob (e.g. "search:*") here, in Redis and in every other instance.',
      inputSchema: { pattern: z.string().min(1).max(200).regex(/^[\w:*?-]+$/, 'letters, digits, _ - : * ? only') },
      annotations: { ...action, idempotentHint: true },
      _meta: meta,
    },
    recorded(ctx, 'invalidate_cache', async ({ pattern }) => {
      const deleted = await ctx.cache.invalidatePattern(`${ctx.keyPrefix}${pattern}`);
      return json({ deletedFromRedis: deleted });
    }),
  );
};
