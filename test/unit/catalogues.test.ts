import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogueProblems, flatten, shippedCatalogues, shippedLocalesDir } from '../../src/i18n/catalogues.js';
import { chooseLocale, fromAcceptLanguage, LOCALES, matchLocale } from '../../src/i18n/locales.js';
import { ERRORS } from '../../src/http/errors.js';

const catalogues = shippedCatalogues();
const english = catalogues.en;

describe('message catalogues', () => {
  // A missing key shows a member English (or a raw key) in the middle of their language; a placeholder English lacks
  // prints `{{…}}` or someone else's value.
  it.each(LOCALES.filter((locale) => locale !== 'en'))('%s has every key English has, every plural form it needs, and no placeholder English lacks', (locale) => {
    expect(catalogueProblems(locale, catalogues[locale], english)).toEqual([]);
  });

  it('the check finds a missing key, a missing plural form and a foreign placeholder', () => {
    const broken = JSON.parse(JSON.stringify(catalogues.de)) as typeof english;
    delete (broken.login as Record<string, unknown>).title;
    delete ((broken.claim as Record<string, Record<string, unknown>>).groups!).atLeast_one;
    (broken.common as Record<string, string>).signOut = 'Abmelden {{secret}}';
    expect(catalogueProblems('de', broken, english)).toEqual(expect.arrayContaining([
      'de: missing "login.title"',
      'de: missing "claim.groups.atLeast_one"',
      'de: "common.signOut" has the placeholder {{secret}}, which English lacks',
    ]));
    const arabic = JSON.parse(JSON.stringify(catalogues.ar)) as typeof english;
    delete ((arabic.claim as Record<string, Record<string, unknown>>).groups!).atMost_two;
    expect(catalogueProblems('ar', arabic, english)).toEqual(['ar: missing "claim.groups.atMost_two"']);
  });

  it('every file of every language is valid JSON laid out like English', () => {
    const files = readdirSync(join(shippedLocalesDir(), 'en')).sort();
    for (const locale of LOCALES) {
      expect(readdirSync(join(shippedLocalesDir(), locale)).sort()).toEqual(files);
      for (const file of files) expect(() => JSON.parse(readFileSync(join(shippedLocalesDir(), locale, file), 'utf8'))).not.toThrow();
    }
  });

  it('every error code has a title and a message in English', () => {
    const keys = flatten(english);
    for (const code of Object.keys(ERRORS)) {
      expect(keys.has(`errors.${code}.title`)).toBe(true);
      expect(keys.has(`errors.${code}.message`)).toBe(true);
    }
  });

  it('no translation is left as the English text (long messages)', () => {
    const englishTexts = flatten(english);
    for (const locale of LOCALES.filter((each) => each !== 'en')) {
      const own = flatten(catalogues[locale]);
      const copied = [...own].filter(([key, text]) => text.replace(/\{\{[^}]*\}\}/g, '').length > 25 && englishTexts.get(key) === text).map(([key]) => key);
      expect({ locale, copied }).toEqual({ locale, copied: [] });
    }
  });
});

describe('choosing the language', () => {
  it('in order: the stored locale, the picked language, Accept-Language, the default', () => {
    expect(chooseLocale({ stored: 'fr-FR', picked: 'de', acceptLanguage: 'es', fallback: 'en' })).toBe('fr');
    expect(chooseLocale({ stored: null, picked: 'de', acceptLanguage: 'es', fallback: 'en' })).toBe('de');
    expect(chooseLocale({ stored: 'xx', picked: 'zz', acceptLanguage: 'tlh, es;q=0.5', fallback: 'en' })).toBe('es');
    expect(chooseLocale({ fallback: 'ja' })).toBe('ja');
  });

  it('matches regional tags to the shipped language', () => {
    expect(matchLocale('pt-PT')).toBe('pt-BR');
    expect(matchLocale('pt_br')).toBe('pt-BR');
    expect(matchLocale('en-GB')).toBe('en');
    expect(matchLocale('ar-EG')).toBe('ar');
    expect(matchLocale('nl')).toBeUndefined();
  });

  it('reads Accept-Language by preference, skipping * and q=0', () => {
    expect(fromAcceptLanguage('nl-NL, de;q=0.3, ja;q=0.8')).toBe('ja');
    expect(fromAcceptLanguage('*, fr;q=0')).toBeUndefined();
    expect(fromAcceptLanguage('ar-SA,ar;q=0.9')).toBe('ar');
  });
});
