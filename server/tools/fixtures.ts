// The tools the official conformance suite calls by name
// (@modelcontextprotocol/conformance 0.1.16). Registered only with
// --conformance-fixtures, so the real server never exposes test tools. They go
// through the same transport paths as the real tools: a plain JSON answer, an
// error result, progress and log notifications on the call's own SSE stream.
import { setTimeout as sleep } from 'node:timers/promises';
import { text, type ToolRegistrar } from './context.ts';

type Notify = (notification: never) => Promise<void>;

export const registerConformanceFixtures: ToolRegistrar = (server) => {
  server.registerTool('test_simple_text', { description: 'Conformance fixture: returns one text item.' }, async () =>
    text('This is a simple text response for testing.'),
  );

  server.registerTool('test_error_handling', { description: 'Conformance fixture: always fails.' }, async () => {
    throw new Error('This tool intentionally returns an error for testing');
  });

  server.registerTool('test_tool_with_progress', { description: 'Conformance fixture: three progress notifications.' }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progressToken !== undefined) {
        await (extra.sendNotification as Notify)({
          method: 'notifications/progress',
          params: { progressToken, progress, total: 100 },
        } as never);
      }
      if (progress < 100) await sleep(50, undefined, { signal: extra.signal });
    }
    return text('Progress test completed');
  });

  server.registerTool('test_tool_with_logging', { description: 'Conformance fixture: three log notifications.' }, async (extra) => {
    for (const [i, message] of ['Tool execution started', 'Tool processing data', 'Tool execution completed'].entries()) {
      if (i > 0) await sleep(50, undefined, { signal: extra.signal });
      await (extra.sendNotification as Notify)({ method: 'notifications/message', params: { level: 'info', data: message } } as never);
    }
    return text('Logging test completed');
  });
};
