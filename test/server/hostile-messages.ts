// Seeded hostile HTTP bodies for the reliability test: broken JSON, wrong
// JSON-RPC shapes, wrong types in every field, deep nesting, huge and odd
// strings, prototype keys, unknown methods and tools, bad arguments.
import { seededRandom } from '../support/random.ts';

const VALID_CALL = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: { key: 'item-1' } } };
const TOOLS = ['lookup', 'get_user', 'search_users_cached', 'status', 'metrics', 'nope', '', 'x'.repeat(500), '__proto__', 'constructor'];
const METHODS = ['tools/call', 'tools/list', 'initialize', 'ping', 'resources/list', 'prompts/get', 'logging/setLevel', 'notifications/cancelled', 'notifications/initialized', '', 'x'.repeat(300), '__proto__', 'constructor.prototype'];

export function hostileMessages(count: number, seed = 7): Array<string | Buffer> {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const oddValue = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => true,
      () => -1,
      () => 1e308,
      () => 2 ** 53 + 1,
      () => 0.5,
      () => '',
      () => 'é☃\u0000\ud800',
      () => 'y'.repeat(Math.floor(random() * 20_000)),
      () => [],
      () => [1, [2, [3]]],
      () => ({}),
      () => ({ __proto__: { polluted: true } }),
      () => JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}'),
      () => nested(Math.floor(random() * 1_000)),
    ])();
  const nested = (depth: number): unknown => {
    let value: unknown = 'leaf';
    for (let i = 0; i < depth; i++) value = random() < 0.5 ? [value] : { a: value };
    return value;
  };

  const generators: Array<() => string | Buffer> = [
    // Not JSON at all.
    () => Buffer.from(Array.from({ length: Math.floor(random() * 400) }, () => Math.floor(random() * 256))),
    () => JSON.stringify(VALID_CALL).slice(0, Math.floor(random() * 60)),
    () => '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"lookup"' + ','.repeat(Math.floor(random() * 100)),
    () => '['.repeat(10_000 + Math.floor(random() * 50_000)),
    () => '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
    () => '',
    () => 'null',
    () => '"just a string"',
    () => '12345',
    // JSON-RPC with a field of the wrong type or missing.
    () => JSON.stringify({ ...VALID_CALL, jsonrpc: oddValue() }),
    () => JSON.stringify({ ...VALID_CALL, id: oddValue() }),
    () => JSON.stringify({ ...VALID_CALL, method: oddValue() }),
    () => JSON.stringify({ ...VALID_CALL, params: oddValue() }),
    () => JSON.stringify({ ...VALID_CALL, params: { name: oddValue(), arguments: { key: 'item-1' } } }),
    () => JSON.stringify({ ...VALID_CALL, params: { name: pick(TOOLS), arguments: oddValue() } }),
    () => JSON.stringify({ ...VALID_CALL, params: { name: pick(TOOLS), arguments: { key: oddValue(), id: oddValue(), term: oddValue(), ids: oddValue() } } }),
    () => JSON.stringify({ jsonrpc: '2.0', id: Math.floor(random() * 1e6), method: pick(METHODS), params: random() < 0.5 ? {} : oddValue() }),
    () => JSON.stringify({ jsonrpc: '2.0', method: pick(METHODS), params: { requestId: oddValue(), reason: oddValue() } }),
    () => JSON.stringify({ jsonrpc: '2.0', id: 5, result: oddValue() }),
    () => JSON.stringify({ jsonrpc: '2.0', id: 5, error: oddValue() }),
    () => JSON.stringify(Array.from({ length: Math.floor(random() * 200) }, () => VALID_CALL)),
    () => JSON.stringify({ ...VALID_CALL, params: { ...VALID_CALL.params, _meta: { progressToken: oddValue() } } }),
    () => JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize', params: { protocolVersion: oddValue(), capabilities: oddValue(), clientInfo: oddValue() } }),
  ];
  return Array.from({ length: count }, () => pick(generators)());
}
