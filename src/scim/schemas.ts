export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const RESOURCE_SCHEMAS = [USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA];

/** `W/"3"`: the version as a weak entity tag (the representation may differ in formatting, not in content). */
export const etagOf = (version: number) => `W/"${version}"`;

/**
 * Whether an If-Match header allows a write to the resource at `version`. No header allows it; `*` allows it; else
 * one of the listed tags must name the version (weak or strong, the comparison is on the version).
 */
export function ifMatchAllows(header: string | undefined, version: number): boolean {
  if (header === undefined) return true;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return true;
  return tags.some((tag) => tag.replace(/^W\//, '') === `"${version}"`);
}
