import { scimPatch, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { ScimError, badSyntax } from './errors.js';
import { booleanOf } from './user-resource.js';
import { PATCH_SCHEMA } from './schemas.js';

type Json = Record<string, unknown>;

const MAX_OPERATIONS = 100;
/** Attributes no PATCH may touch: the server assigns them. */
const IMMUTABLE = /^(id|meta)(\.|\[|$)/i;
const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i;

const isObject = (value: unknown): value is Json => Boolean(value) && typeof value === 'object' && !Array.isArray(value);

/**
 * The operations of a PatchOp body, with the spellings IdPs use brought to RFC 7644's: Entra ID capitalises op names
 * ("Replace") and sends booleans as "True"/"False"; the core schema URN before a path is dropped. A path naming
 * `id` or `meta`, or a value object setting `meta`, is refused as a mutability error (an `id` in a value object must
 * be the resource's own: the caller compares).
 */
export function readPatch(body: unknown): ScimPatchOperation[] {
  if (!isObject(body)) throw badSyntax('the body must be a JSON object');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA)) throw badSyntax(`schemas must be ["${PATCH_SCHEMA}"]`);
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || !operations.length) throw badSyntax('Operations must be a non-empty list');
  if (operations.length > MAX_OPERATIONS) throw badSyntax(`at most ${MAX_OPERATIONS} operations per request`);
  return operations.flatMap((operation: unknown) => {
    if (!isObject(operation)) throw badSyntax('each operation must be an object');
    const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw badSyntax(`op must be add, replace or remove, not "${String(operation.op).slice(0, 20)}"`);
    let path = typeof operation.path === 'string' ? operation.path.trim().replace(CORE_PREFIX, '') : undefined;
    if (operation.path !== undefined && typeof operation.path !== 'string') throw new ScimError(400, 'path must be a string', 'invalidPath');
    if (path === '') path = undefined;
    if (path && path.length > 300) throw new ScimError(400, 'path is too long', 'invalidPath');
    if (op === 'remove' && !path) throw new ScimError(400, 'remove needs a path', 'noTarget');
    if (path && IMMUTABLE.test(path)) throw new ScimError(400, `${path.slice(0, 50)} cannot be changed`, 'mutability');
    let value = operation.value;
    if (!path && isObject(value)) {
      const keys = Object.keys(value).map((key) => key.replace(CORE_PREFIX, ''));
      // Okta repeats the resource's own id in a replace's value: allowed, and the caller refuses a different id.
      if (keys.some((key) => /^meta(\.|$)/i.test(key))) throw new ScimError(400, 'meta cannot be changed', 'mutability');
      value = Object.fromEntries(Object.entries(value).map(([key, item]) => [key.replace(CORE_PREFIX, ''), key.toLowerCase() === 'active' ? booleanOf(item, 'active') : item]));
    }
    if (path?.toLowerCase() === 'active' && op !== 'remove') value = booleanOf(value, 'active');
    if (op === 'remove' && path && !path.includes('[') && Array.isArray(value)) return removalsByValue(path, value);
    return (value === undefined ? { op, path } : { op, path, value }) as ScimPatchOperation;
  });
}

/**
 * Entra ID removes group members by value (`"path": "members", "value": [{ "value": "<id>", "$ref": null }]`): one
 * removal per value, as a filtered path, so that the other attributes of an item do not have to match.
 */
function removalsByValue(path: string, items: unknown[]): ScimPatchOperation[] {
  return items.map((item) => {
    const value = isObject(item) ? item.value : undefined;
    if (typeof value !== 'string' || !value || /["\\]/.test(value) || value.length > 255) throw badSyntax(`each value to remove from ${path.slice(0, 50)} needs a plain "value"`);
    return { op: 'remove', path: `${path}[value eq "${value}"]` } as ScimPatchOperation;
  });
}

/** Applies the operations to a copy of the resource with scim-patch; its refusals become SCIM errors. */
export function applyPatch<T extends Json>(resource: T, operations: ScimPatchOperation[]): T {
  try {
    return scimPatch(structuredClone(resource) as unknown as ScimResource, operations, { mutateDocument: true, treatMissingAsAdd: true }) as unknown as T;
  } catch (error) {
    const e = error as { scimType?: string; message?: string; status?: number };
    const scimType = e.scimType === 'noTarget' ? 'noTarget' : e.scimType === 'invalidPath' ? 'invalidPath' : 'invalidValue';
    throw new ScimError(400, (e.message ?? 'the patch does not apply').slice(0, 300), scimType);
  }
}
