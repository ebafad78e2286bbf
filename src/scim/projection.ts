import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './schemas.js';

type Json = Record<string, unknown>;

/** Returned whatever `attributes` or `excludedAttributes` say (RFC 7643 §7, "returned: always"). */
const ALWAYS = new Set(['id', 'schemas']);

/** `urn:…:enterprise:2.0:User:manager.value` → [enterprise URN, manager, value]; core URNs are dropped. */
function pathOf(text: string): string[] {
  const lower = text.trim().toLowerCase();
  if (lower === ENTERPRISE_SCHEMA.toLowerCase()) return [ENTERPRISE_SCHEMA];
  if (lower.startsWith(`${ENTERPRISE_SCHEMA.toLowerCase()}:`)) return [ENTERPRISE_SCHEMA, ...text.trim().slice(ENTERPRISE_SCHEMA.length + 1).split('.')];
  for (const urn of [USER_SCHEMA, GROUP_SCHEMA]) if (lower.startsWith(`${urn.toLowerCase()}:`)) return text.trim().slice(urn.length + 1).split('.');
  return text.trim().split('.');
}

const keyIn = (object: Json, name: string) => Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase());

function pick(source: Json, target: Json, path: string[]): void {
  const key = keyIn(source, path[0]!);
  if (key === undefined) return;
  const value = source[key];
  if (path.length === 1) {
    target[key] = value;
    return;
  }
  const rest = path.slice(1);
  if (Array.isArray(value)) {
    const existing = (Array.isArray(target[key]) ? target[key] : value.map(() => ({}))) as Json[];
    value.forEach((item, index) => item && typeof item === 'object' && pick(item as Json, existing[index]!, rest));
    target[key] = existing;
  } else if (value && typeof value === 'object') {
    const nested = (target[key] ?? {}) as Json;
    pick(value as Json, nested, rest);
    target[key] = nested;
  }
}

function drop(target: Json, path: string[]): void {
  const key = keyIn(target, path[0]!);
  if (key === undefined) return;
  if (path.length === 1) {
    if (!ALWAYS.has(key)) delete target[key];
    return;
  }
  const value = target[key];
  const items = Array.isArray(value) ? value : [value];
  for (const item of items) if (item && typeof item === 'object') drop(item as Json, path.slice(1));
}

const listOf = (value: unknown) => (typeof value === 'string' && value.trim() ? value.split(',').filter((part) => part.trim()).slice(0, 50).map(pathOf) : []);

/** A resource as `attributes` / `excludedAttributes` ask (query parameters, comma-separated attribute paths). */
export function project(resource: Json, attributes: unknown, excludedAttributes: unknown): Json {
  const wanted = listOf(attributes);
  if (wanted.length) {
    const out: Json = {};
    for (const key of Object.keys(resource)) if (ALWAYS.has(key)) out[key] = resource[key];
    for (const path of wanted) pick(resource, out, path);
    return out;
  }
  const unwanted = listOf(excludedAttributes);
  if (!unwanted.length) return resource;
  const out = structuredClone(resource);
  for (const path of unwanted) drop(out, path);
  return out;
}
