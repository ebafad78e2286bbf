import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import MarkdownIt from 'markdown-it';
import { isLocale } from '../../members/field-rules.js';
import type { Config } from '../../config/schema.js';
import type { Locale } from '../../i18n/locales.js';
import { field, type Step } from './step.js';

// html: false escapes any raw HTML in the terms file; markdown-it also refuses javascript: and data: links.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true });
const rendered = new Map<string, { mtimeMs: number; html: string }>();

export function termsHtml(file: string): string {
  const path = resolve(file);
  const { mtimeMs } = statSync(path);
  const cached = rendered.get(path);
  if (cached && cached.mtimeMs === mtimeMs) return cached.html;
  const html = markdown.render(readFileSync(path, 'utf8'));
  rendered.set(path, { mtimeMs, html });
  return html;
}

/** The terms file for a language: the one named for it under the same version, else the default file. */
export function termsFor(config: Config, locale: Locale): { file: string; locale: string } {
  const { terms } = config.firstAccess;
  const own = terms.files[locale];
  return own ? { file: own, locale } : { file: terms.file!, locale: config.i18n.defaultLocale };
}

/** The first language tag the browser prefers, if it looks like one. */
export function preferredLocale(acceptLanguage: string | undefined): string | null {
  const tag = acceptLanguage?.split(',')[0]?.split(';')[0]?.trim();
  return tag && isLocale(tag) ? tag : null;
}

export const termsStep: Step = {
  id: 'terms',
  title: 'claim.terms.title',
  template: 'claim/terms.njk',
  isRequired: (config, _member, { purpose }) => purpose !== 'recover' && config.firstAccess.terms.enabled,
  async locals({ runtime, req }) {
    const { terms } = runtime.config.firstAccess;
    const shown = termsFor(runtime.config, req.locale);
    return { termsHtml: termsHtml(shown.file), termsLang: shown.locale, version: terms.version };
  },
  async submit({ runtime, flow, member, req }) {
    if (field(req.body, 'accept') !== 'yes') {
      return { ok: false, errors: [{ field: 'accept', message: 'claim.terms.mustAccept' }] };
    }
    // The language of the text the member read: theirs when the version exists in it, else the default file's.
    const locale = termsFor(runtime.config, req.locale).locale ?? preferredLocale(req.get('accept-language')) ?? member.locale;
    return {
      ok: true,
      data: { ...flow.data, terms: { version: runtime.config.firstAccess.terms.version, locale, acceptedAt: runtime.now().toISOString() } },
    };
  },
};
