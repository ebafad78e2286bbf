import { Initial1764100000000 } from './1764100000000-initial.js';
import { AccessCodes1764200000000 } from './1764200000000-access-codes.js';
import { Admin1764400000000 } from './1764400000000-admin.js';

/** Every migration, oldest first. Listed by hand so the build needs no file globbing. */
export const migrations = [Initial1764100000000, AccessCodes1764200000000, Admin1764400000000];
