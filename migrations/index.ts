import { Initial1764100000000 } from './1764100000000-initial.js';

/** Every migration, oldest first. Listed by hand so the build needs no file globbing. */
export const migrations = [Initial1764100000000];
