/** A provisioning client (an IdP's SCIM connection): the token itself is never stored, only its SHA-256. */
export interface ScimClientRow {
  id: string;
  name: string;
  tokenHash: string;
  createdAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** A member that a client provisioned and manages; deleting it by SCIM removes this row (the member stays). */
export interface ScimUserRow {
  memberId: string;
  clientId: string;
  externalId: string | null;
  userName: string;
  userNameNormalized: string;
  /** Counts the client's writes: the resource's `meta.version` and ETag. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimGroupRow {
  id: string;
  clientId: string;
  displayName: string;
  displayNameNormalized: string;
  externalId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScimGroupMemberRow {
  groupId: string;
  memberId: string;
}
