import type { Database } from '../db/database.js';
import type { MemberRow } from '../db/rows.js';
import { IDP_MANAGED_FIELDS } from './user-resource.js';

export interface IdpManagement {
  /** The SCIM client that manages the member. */
  client: string;
  /** The member fields its updates overwrite. */
  fields: ReadonlyArray<keyof MemberRow>;
}

/** Which SCIM client manages the member, if one does: the IdP wins for these fields, so the admin pages say so. */
export async function idpManagement(db: Database, memberId: string): Promise<IdpManagement | null> {
  const link = await db.source.manager.findOneBy(db.entities.ScimUser, { memberId });
  if (!link) return null;
  const client = await db.source.manager.findOneBy(db.entities.ScimClient, { id: link.clientId });
  return client ? { client: client.name, fields: IDP_MANAGED_FIELDS } : null;
}
