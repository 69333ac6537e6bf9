// MCP over HTTP without the SDK client, so checks can see what a load
// balancer sees: status codes, Retry-After, and every request's fate. Works
// against stateless servers and, for single-instance checks, stateful ones
// (the session id from initialize is sent on every later request).
import { Agent, request } from 'undici';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined if it was not JSON. */
  json: any;
  text: string;
}

export interface PostOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function httpAgent(connections = 64): Agent {
  return new Agent({ connections, keepAliveTimeout: 10_000, pipelining: 1 });
}

export async function post(agent: Agent, url: string, body: unknown, options: PostOptions = {}): Promise<RawResponse> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...options.headers,
    },
    body: JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return read(response);
}

export async function get(agent: Agent, url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return read(await request(url, { method: 'GET', dispatcher: agent, headers }));
}

async function read(response: Awaited<ReturnType<typeof request>>): Promise<RawResponse> {
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A server may answer a POST as a short SSE stream instead of JSON: take its last message.
    const messages = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter(Boolean);
    try {
      if (messages.length > 0) json = JSON.parse(messages[messages.length - 1]!);
    } catch {
      // Neither: an empty 202 or plain text. Leave json undefined.
    }
  }
  return { status: response.statusCode, headers: response.headers, json, text };
}

let nextId = 1;

export const toolCall = (name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: nextId++,
  method: 'tools/call',
  params: { name, arguments: args },
});

export interface McpSession {
  /** Headers every request of this session carries (client id, session id if the server gave one). */
  headers: Record<string, string>;
  call(name: string, args?: Record<string, unknown>, options?: PostOptions): Promise<RawResponse>;
}

/** initialize + notifications/initialized, then tool calls with whatever session id the server handed out. */
export async function openSession(agent: Agent, url: string, headers: Record<string, string> = {}): Promise<McpSession> {
  const init = await post(
    agent,
    url,
    {
      jsonrpc: '2.0',
      id: nextId++,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'workbook-check', version: '1.0.0' } },
    },
    { headers },
  );
  if (init.status !== 200) throw new Error(`initialize answered HTTP ${init.status}: ${init.text.slice(0, 200)}`);
  const sessionId = init.headers['mcp-session-id'];
  const sessionHeaders = {
    ...headers,
    'mcp-protocol-version': '2025-06-18',
    ...(typeof sessionId === 'string' ? { 'mcp-session-id': sessionId } : {}),
  };
  await post(agent, url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { headers: sessionHeaders });
  return {
    headers: sessionHeaders,
    call: (name, args = {}, options = {}) =>
      post(agent, url, toolCall(name, args), {
        headers: { ...sessionHeaders, ...options.headers },
        ...(options.signal ? { signal: options.signal } : {}),
      }),
  };
}

/** The text of a successful tool result, or undefined for anything else (HTTP error, JSON-RPC error, isError). */
export function resultText(response: RawResponse): string | undefined {
  if (response.status !== 200) return undefined;
  const result = response.json?.result;
  if (!result || result.isError) return undefined;
  return (result.content ?? []).map((c: { text?: string }) => c.text ?? '').join('');
}
