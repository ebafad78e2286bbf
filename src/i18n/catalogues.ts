import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCALES, type Locale } from './locales.js';

export type Catalogue = { [key: string]: string | Catalogue };

/** Works from the TypeScript sources (tests) and from the build under dist/. */
export function shippedLocalesDir(): string {
  const here = fileURLToPath(import.meta.url);
  const root = here.includes('/dist/') ? here.slice(0, here.indexOf('/dist/')) : here.slice(0, here.lastIndexOf('/src/'));
  return `${root}/locales`;
}

/** `<dir>/<locale>/<file>.json`, each file's keys under the file's name: `claim.json` holds `claim.start.title`. */
export function readCatalogue(dir: string, locale: string): Catalogue {
  const folder = join(resolve(dir), locale);
  if (!existsSync(folder)) return {};
  const catalogue: Catalogue = {};
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.json')).sort()) {
    catalogue[basename(file, '.json')] = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Catalogue;
  }
  return catalogue;
}

export function mergeCatalogues(base: Catalogue, over: Catalogue): Catalogue {
  const merged: Catalogue = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = merged[key];
    merged[key] = typeof value === 'object' && typeof existing === 'object' ? mergeCatalogues(existing, value) : value;
  }
  return merged;
}

/** Every message as `dotted.key → text`. */
export function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [inner, text] of flatten(value, path)) out.set(inner, text);
  }
  return out;
}

/** i18next plural forms: `key_one`, `key_other`, … (CLDR categories). */
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

export const pluralBase = (key: string): string => key.replace(PLURAL_SUFFIX, '');
export const pluralCategory = (key: string): string | undefined => PLURAL_SUFFIX.exec(key)?.[1];

/** The `{{name}}` placeholders of a message. */
export const placeholders = (text: string): Set<string> => new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_.]+)\s*(?:,[^}]*)?\}\}/g)].map((match) => match[1]!));

/** The plural categories a language needs (`one`/`other` in English; six in Arabic; `other` only in Japanese). */
export const pluralCategoriesOf = (locale: Locale): string[] => new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[];

/**
 * What a catalogue lacks or adds compared with English: every English key (a plural key: every category the
 * language needs), no placeholder English lacks, no key English does not have.
 */
export function catalogueProblems(locale: Locale, catalogue: Catalogue, reference: Catalogue, options: { partial?: boolean } = {}): string[] {
  const english = flatten(reference);
  const own = flatten(catalogue);
  const problems: string[] = [];
  const englishBases = new Map<string, Set<string>>();
  for (const [key, text] of english) {
    const base = pluralBase(key);
    const names = englishBases.get(base) ?? new Set<string>();
    for (const name of placeholders(text)) names.add(name);
    if (pluralCategory(key)) names.add('count');
    englishBases.set(base, names);
  }
  if (!options.partial) {
    for (const [base] of englishBases) {
      const plural = [...english.keys()].some((key) => pluralBase(key) === base && pluralCategory(key));
      const needed = plural ? pluralCategoriesOf(locale).map((category) => `${base}_${category}`) : [base];
      for (const key of needed) if (!own.has(key)) problems.push(`${locale}: missing "${key}"`);
    }
  }
  for (const [key, text] of own) {
    const allowed = englishBases.get(pluralBase(key));
    if (!allowed) {
      problems.push(`${locale}: "${key}" is not a key English has`);
      continue;
    }
    for (const name of placeholders(text)) if (!allowed.has(name)) problems.push(`${locale}: "${key}" has the placeholder {{${name}}}, which English lacks`);
  }
  return problems;
}

export function shippedCatalogues(dir = shippedLocalesDir()): Record<Locale, Catalogue> {
  return Object.fromEntries(LOCALES.map((locale) => [locale, readCatalogue(dir, locale)])) as Record<Locale, Catalogue>;
}
