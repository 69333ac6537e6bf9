// Arguments for any tool, made from its JSON Schema: the schema's own
// examples when it has them, else enum values, else values of the right type
// within its bounds. Seeded, so two runs send the same calls.
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

export type Random = () => number;

export function valueFor(schema: JsonSchema | undefined, random: Random, depth = 0): unknown {
  if (!schema || depth > 5) return null;
  if (schema.examples?.length) return schema.examples[Math.floor(random() * schema.examples.length)];
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[Math.floor(random() * schema.enum.length)];
  if (schema.default !== undefined) return schema.default;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return valueFor(variants.find((v) => v.type !== 'null') ?? variants[0], random, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const length = Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 8, 8));
      return Array.from({ length }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    }
    case 'integer':
    case 'number': {
      const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
      const high = Math.min(schema.maximum ?? low + 100, low + 1_000);
      const value = low + random() * (high - low);
      return type === 'integer' ? Math.floor(value) : value;
    }
    case 'boolean':
      return random() < 0.5;
    case 'array': {
      const count = Math.max(schema.minItems ?? 1, Math.min(schema.maxItems ?? 3, 3));
      return Array.from({ length: count }, () => valueFor(schema.items, random, depth + 1));
    }
    case 'object':
    default:
      return objectFor(schema, random, depth);
  }
}

/** An object with every required property (optional ones are left out). */
export function objectFor(schema: JsonSchema | undefined, random: Random, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) out[name] = valueFor(schema?.properties?.[name], random, depth + 1);
  return out;
}
