import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { catalogueProblems, readCatalogue, shippedCatalogues } from './catalogues.js';
import { isSupportedLocale, REFERENCE_LOCALE } from './locales.js';

/**
 * The overrides folder holds `<locale>/<file>.json` for languages claimgate ships: every message it replaces must
 * exist, with no placeholder English lacks. A folder that is not there is an error, never a silent fallback.
 */
export function i18nConfigProblems(config: Config): string[] {
  const dir = config.i18n.overrides;
  if (!dir) return [];
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) return [`i18n.overrides: "${dir}" is not a folder`];
  const problems: string[] = [];
  const english = shippedCatalogues()[REFERENCE_LOCALE];
  for (const entry of readdirSync(root)) {
    if (!statSync(join(root, entry)).isDirectory()) continue;
    if (!isSupportedLocale(entry)) {
      problems.push(`i18n.overrides: "${entry}" is not a language claimgate speaks`);
      continue;
    }
    try {
      const overrides = readCatalogue(root, entry);
      problems.push(...catalogueProblems(entry, overrides, english, { partial: true }).map((problem) => `i18n.overrides: ${problem}`));
    } catch (error) {
      problems.push(`i18n.overrides: ${entry}: ${(error as Error).message}`);
    }
  }
  return problems;
}
