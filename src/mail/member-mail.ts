import type { MemberRow } from '../db/rows.js';
import { formatDateTime } from '../i18n/format.js';
import { chooseLocale, directionOf } from '../i18n/locales.js';
import type { Runtime } from '../runtime.js';

/** A mail to a member speaks the member's stored language (else the configured default), under the organisation's name. */
export function memberMailLocals(runtime: Runtime, member: Pick<MemberRow, 'locale'>) {
  const locale = chooseLocale({ stored: member.locale, fallback: runtime.config.i18n.defaultLocale });
  return {
    locale,
    t: runtime.messages.forLocale(locale),
    lang: locale,
    dir: directionOf(locale),
    brand: runtime.config.branding.name,
    accent: runtime.config.branding.primaryColor ?? '#1f5fbf',
    formatDate: (value: Date) => formatDateTime(value, locale),
  };
}
