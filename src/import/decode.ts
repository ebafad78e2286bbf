import { importFileError } from './file-error.js';

/**
 * Decodes strict UTF-8: bytes that are not UTF-8 refuse the file rather than turning into U+FFFD. A BOM is dropped.
 * NUL bytes are valid UTF-8 but never text: they are what a UTF-16 file without BOM looks like.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw importFileError('it is not UTF-8 text (save it as "CSV UTF-8")');
  }
  if (text.includes('\u0000')) throw importFileError('it contains NUL bytes, so it is not UTF-8 text (save it as "CSV UTF-8")');
  return text;
}
