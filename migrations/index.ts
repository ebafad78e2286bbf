import { Initial1764100000000 } from './1764100000000-initial.js';
import { AccessCodes1764200000000 } from './1764200000000-access-codes.js';
import { AuditAppendOnly1764500000000 } from './1764500000000-audit-append-only.js';

/** Every migration, oldest first. Listed by hand so the build needs no file globbing. */
export const migrations = [Initial1764100000000, AccessCodes1764200000000, AuditAppendOnly1764500000000];
