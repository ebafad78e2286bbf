import { Initial1764100000000 } from './1764100000000-initial.js';
import { AccessCodes1764200000000 } from './1764200000000-access-codes.js';
import { SsoAccounts1764300000000 } from './1764300000000-sso-accounts.js';
import { SamlReplay1764310000000 } from './1764310000000-saml-replay.js';
import { Admin1764400000000 } from './1764400000000-admin.js';
import { AuditAppendOnly1764500000000 } from './1764500000000-audit-append-only.js';
import { ShortLivedStore1764600000000 } from './1764600000000-short-lived-store.js';
import { FlowEndStates1764650000000 } from './1764650000000-flow-end-states.js';
import { AuditArchive1764700000000 } from './1764700000000-audit-archive.js';
import { PasswordChangeRequired1764800000000 } from './1764800000000-password-change-required.js';
import { Recovery1764810000000 } from './1764810000000-recovery.js';
import { AssignedGroups1764820000000 } from './1764820000000-assigned-groups.js';
import { Scim1764830000000 } from './1764830000000-scim.js';
import { Integrations1764860000000 } from './1764860000000-integrations.js';
import { TokenOwnedFiles1764870000000 } from './1764870000000-token-owned-files.js';

/** Every migration, oldest first. Listed by hand so the build needs no file globbing. */
export const migrations = [
  Initial1764100000000, AccessCodes1764200000000, SsoAccounts1764300000000, SamlReplay1764310000000, Admin1764400000000,
  AuditAppendOnly1764500000000, ShortLivedStore1764600000000, FlowEndStates1764650000000,
  AuditArchive1764700000000, PasswordChangeRequired1764800000000, Recovery1764810000000, AssignedGroups1764820000000, Scim1764830000000, Integrations1764860000000,
  TokenOwnedFiles1764870000000,
];
