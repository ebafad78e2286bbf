import type { Config } from '../config/schema.js';

/** Message overrides must name known languages and keys (filled in with the catalogues). */
export function i18nConfigProblems(_config: Config): string[] {
  return [];
}
