import type { Translate } from '../i18n/messages.js';
import type { AppError } from './errors.js';

/** An error as the reader's language says it: a title naming what happened, and the message. */
export function errorText(t: Translate, error: AppError): { title: string; message: string } {
  const titleKey = error.messageKey?.startsWith('errors.') && error.messageKey.endsWith('.message') ? error.messageKey.replace(/\.message$/, '.title') : `errors.${error.code}.title`;
  return { title: t(titleKey), message: error.messageKey ? t(error.messageKey, error.messageParams) : error.publicMessage };
}
