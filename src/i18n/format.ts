import type { Locale } from './locales.js';

const formats = new Map<Locale, Intl.DateTimeFormat>();

/** A date and time as the member's language writes them, in UTC with the zone named (members are everywhere). */
export function formatDateTime(value: Date | string | number, locale: Locale): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
    formats.set(locale, format);
  }
  return format.format(date);
}
