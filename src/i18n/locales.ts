/** The languages claimgate ships complete catalogues for (`locales/<tag>/*.json`). English is the reference. */
export const LOCALES = ['en', 'de', 'fr', 'es', 'pt-BR', 'ja', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

export const REFERENCE_LOCALE: Locale = 'en';

/** Each language by its own name, for the switcher. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español', 'pt-BR': 'Português (Brasil)', ja: '日本語', ar: 'العربية',
};

const RIGHT_TO_LEFT = new Set<Locale>(['ar']);

export const directionOf = (locale: Locale): 'rtl' | 'ltr' => (RIGHT_TO_LEFT.has(locale) ? 'rtl' : 'ltr');

export const isSupportedLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

/**
 * The shipped language for a stored or picked tag: the same tag in any case (`pt-br`), else the same language
 * (`fr-FR` → fr, `pt-PT` → pt-BR, `en-GB` → en). Nothing for a language claimgate does not speak.
 */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const wanted = tag.trim().replace(/_/g, '-').toLowerCase();
  if (!wanted) return undefined;
  const exact = LOCALES.find((locale) => locale.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split('-')[0];
  return LOCALES.find((locale) => locale.toLowerCase().split('-')[0] === language);
}

/**
 * The first language of an Accept-Language header that claimgate speaks, by the header's own order of preference
 * (q values); `*` and unknown languages are passed over.
 */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0 && Number.isFinite(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const entry of ranked) {
    const locale = matchLocale(entry.tag);
    if (locale) return locale;
  }
  return undefined;
}

export interface LocaleSources {
  /** The member's stored locale (profile, CSV column), when a member is known. */
  stored?: string | null;
  /** The language picked with the switcher (cookie). */
  picked?: string;
  acceptLanguage?: string;
  fallback: Locale;
}

/** In order: the member's stored locale, the language picked on the page, Accept-Language, the configured default. */
export function chooseLocale(sources: LocaleSources): Locale {
  return matchLocale(sources.stored) ?? matchLocale(sources.picked) ?? fromAcceptLanguage(sources.acceptLanguage) ?? sources.fallback;
}
