import type { ProfileField } from '../config/schema.js';

/** What the steps collect. Nothing here touches the member until the flow completes, in one transaction. */
export interface FlowData {
  username?: string;
  terms?: { version: string; locale: string | null; acceptedAt: string };
  profile?: Partial<Record<ProfileField, string | null>> & { pictureId?: string | null };
  passwordHash?: string;
  groupIds?: string[];
  /** Re-acceptance only: the local path the member was on when the gateway or a page sent them to the new terms. */
  returnTo?: string;
}
