import i18next, { type i18n } from 'i18next';
import type { Config } from '../config/schema.js';
import { mergeCatalogues, readCatalogue, shippedCatalogues, type Catalogue } from './catalogues.js';
import { LOCALES, REFERENCE_LOCALE, type Locale } from './locales.js';

export type Translate = (key: string, params?: Record<string, unknown>) => string;

export interface Messages {
  /** The messages of one language; a key it lacks falls back to English. */
  forLocale(locale: Locale): Translate;
  /** Whether `key` names a message (so a caller may pass a key or an already written text). */
  has(key: string): boolean;
}

/** The shipped catalogues with the operator's overrides (`i18n.overrides`, same layout) laid over them. */
export function loadCatalogues(overridesDir: string | undefined): Record<Locale, Catalogue> {
  const shipped = shippedCatalogues();
  if (!overridesDir) return shipped;
  return Object.fromEntries(LOCALES.map((locale) => [locale, mergeCatalogues(shipped[locale], readCatalogue(overridesDir, locale))])) as Record<Locale, Catalogue>;
}

export function createMessages(config: Pick<Config, 'i18n' | 'branding'>): Messages {
  const catalogues = loadCatalogues(config.i18n.overrides);
  const instance: i18n = i18next.createInstance();
  void instance.init({
    resources: Object.fromEntries(LOCALES.map((locale) => [locale, { translation: catalogues[locale] }])),
    lng: REFERENCE_LOCALE,
    fallbackLng: REFERENCE_LOCALE,
    supportedLngs: [...LOCALES],
    load: 'currentOnly',
    initAsync: false,
    returnNull: false,
    // Templates escape what they print (nunjucks autoescape); escaping here too would show `&amp;`.
    interpolation: { escapeValue: false, defaultVariables: { brand: config.branding.name } },
  });
  const fixed = new Map(LOCALES.map((locale) => [locale, instance.getFixedT(locale)]));
  return {
    forLocale: (locale) => {
      const t = fixed.get(locale) ?? fixed.get(REFERENCE_LOCALE)!;
      return (key, params) => String(t(key, params as never));
    },
    // A plural message exists as `key_one`, `key_other`, …
    has: (key) => instance.exists(key, { lng: REFERENCE_LOCALE }) || instance.exists(`${key}_other`, { lng: REFERENCE_LOCALE }),
  };
}
