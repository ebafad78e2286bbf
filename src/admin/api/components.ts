import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * Named schemas (`.meta({ id })`) of every operation, shared as `components.schemas`. Where a schema reads differently
 * as a request than as an answer (defaults, transforms), the request form is named `<id>Input`.
 */
export class Components {
  readonly schemas: Record<string, JsonSchema> = {};

  jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const { $schema: _dialect, $defs, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' }) as JsonSchema;
    const definitions = Object.entries(($defs ?? {}) as Record<string, JsonSchema>);
    const names: Record<string, string> = Object.fromEntries(definitions.map(([id]) => [id, id]));
    const rename = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rename);
      if (!value || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/') ? `#/components/schemas/${names[inner.slice(8)]}` : rename(inner)]));
    };
    for (const [id, definition] of definitions) {
      const known = this.schemas[id];
      if (known && JSON.stringify(known) !== JSON.stringify(rename(definition))) names[id] = `${id}Input`;
    }
    for (const [id, definition] of definitions) this.schemas[names[id]!] = rename(definition) as JsonSchema;
    return rename(rest) as JsonSchema;
  }
}
