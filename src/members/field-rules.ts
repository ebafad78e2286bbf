import type { ProfileField } from '../config/schema.js';
import type { MemberRow } from '../db/rows.js';

/**
 * The longest value of each member field, in characters. The columns are this long, and the profile step, the
 * import and the SSO prefill refuse a longer value, so the database never has to.
 */
export const FIELD_LENGTHS = {
  email: 320, employeeId: 64, username: 64, name: 200, firstName: 100, lastName: 100, title: 200, department: 200, location: 200,
  phone: 50, locale: 35, managerEmail: 320, startDate: 10,
} as const satisfies Partial<Record<keyof MemberRow, number>>;

/** Characters as the database counts them: code points, not UTF-16 units. */
export const characters = (value: string): number => [...value].length;

const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
const PHONE = /^\+?[0-9 ().-]{3,50}$/;
// Line breaks and control characters never belong in a member field: they could forge log lines or CSV rows.
const LINE_BREAK_OR_CONTROL = /[\p{Cc}\u2028\u2029]/u;

// A file repeats a handful of locales many times, and the Intl check is slow enough to show on large files.
const knownTags = new Map<string, boolean>();

/** A language tag (en, en-GB, zh-Hant-TW) that Intl accepts, short enough to store. */
export function isLocale(value: string): boolean {
  let known = knownTags.get(value);
  if (known === undefined) {
    try {
      known = value.length <= FIELD_LENGTHS.locale && LOCALE.test(value) && Intl.getCanonicalLocales(value).length === 1;
    } catch {
      known = false;
    }
    if (knownTags.size >= 1000) knownTags.clear();
    knownTags.set(value, known);
  }
  return known;
}

/** No line break and no control character. */
export function isSingleLine(value: string): boolean {
  return !LINE_BREAK_OR_CONTROL.test(value);
}

const FORMATS: Partial<Record<ProfileField, (value: string) => boolean>> = {
  phone: (value) => PHONE.test(value),
  locale: isLocale,
};

export type FieldProblem = 'too_long' | 'malformed';

/** What is wrong with a (trimmed, non-empty) value of a profile field, if anything. */
export function profileFieldProblem(field: ProfileField, value: string): FieldProblem | undefined {
  if (characters(value) > FIELD_LENGTHS[field]) return 'too_long';
  if (!isSingleLine(value)) return 'malformed';
  return FORMATS[field] && !FORMATS[field](value) ? 'malformed' : undefined;
}
