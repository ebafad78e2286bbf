import { IsNull } from 'typeorm';
import type { Owner } from './api-caller.js';

/** The `where` that finds only rows of this owner: a token never matches an admin's row, nor an admin a token's. */
export function ownedBy(owner: Pick<Owner, 'adminId' | 'tokenId'>) {
  return { adminId: owner.adminId ?? IsNull(), tokenId: owner.tokenId ?? IsNull() };
}
