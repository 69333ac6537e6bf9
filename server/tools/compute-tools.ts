// A CPU-heavy tool that reports progress: chapter 3's MinHash signatures,
// computed in slices that yield to the event loop, with a progress
// notification per slice on the call's own stream (SSE over HTTP).
import { z } from 'zod';
import { signDocuments, SIGNATURE_SIZE } from '../../solutions/03-async-optimization/event-loop.ts';
import { json, recorded, TOOL_CLASS_META, type ToolRegistrar } from './context.ts';

const SLICE_DOCUMENTS = 50;

export const registerComputeTools: ToolRegistrar = (server, ctx) => {
  server.registerTool(
    'sign_documents',
    {
      description: 'MinHash signatures of up to 2 000 documents (near-duplicate detection). Sends progress when asked.',
      inputSchema: { documents: z.array(z.string().max(20_000)).min(1).max(2_000) },
      annotations: { readOnlyHint: true, openWorldHint: false },
      _meta: { [TOOL_CLASS_META]: 'compute' },
    },
    recorded(ctx, 'sign_documents', async ({ documents }, extra) => {
      const progressToken = extra._meta?.progressToken as string | number | undefined;
      const signatures = new Uint32Array(documents.length * SIGNATURE_SIZE);
      for (let start = 0; start < documents.length; start += SLICE_DOCUMENTS) {
        // A cancelled call (client cancel, disconnect, shutdown deadline) stops here.
        extra.signal.throwIfAborted();
        signatures.set(await signDocuments(documents.slice(start, start + SLICE_DOCUMENTS)), start * SIGNATURE_SIZE);
        if (progressToken !== undefined) {
          const progress = Math.min(documents.length, start + SLICE_DOCUMENTS);
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, total: documents.length, message: `${progress} of ${documents.length} signed` },
          } as never);
        }
      }
      // The first number of each signature is enough to eyeball duplicates.
      return json({ documents: documents.length, firstHashes: Array.from({ length: documents.length }, (_, i) => signatures[i * SIGNATURE_SIZE]) });
    }),
  );
};
