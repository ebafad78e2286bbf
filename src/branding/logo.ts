import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Logo {
  bytes: Buffer;
  contentType: string;
  /** In the URL, so the file can be cached for a year and a new logo is fetched at once. */
  hash: string;
}

export const LOGO_MAX_BYTES = 512 * 1024;

/** The image type by the file's first bytes (never by its name), or why it cannot be a logo. */
export function logoType(bytes: Buffer): { contentType: string } | { problem: string } {
  if (bytes.length === 0) return { problem: 'is empty' };
  if (bytes.length > LOGO_MAX_BYTES) return { problem: `is larger than ${LOGO_MAX_BYTES / 1024} KB` };
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { contentType: 'image/png' };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { contentType: 'image/jpeg' };
  if (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a') return { contentType: 'image/gif' };
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return { contentType: 'image/webp' };
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(text)) {
    // Opened on its own, an SVG is a document of this origin: nothing in it may run.
    if (/<script|<foreignObject|\son[a-z]+\s*=|javascript:/i.test(text)) return { problem: 'is an SVG with scripts, event handlers or embedded HTML' };
    return { contentType: 'image/svg+xml' };
  }
  return { problem: 'is not a PNG, JPEG, GIF, WebP or SVG image' };
}

export function readLogo(file: string): Logo {
  const bytes = readFileSync(resolve(file));
  const type = logoType(bytes);
  if ('problem' in type) throw new Error(`branding.logo ${type.problem}`);
  return { bytes, contentType: type.contentType, hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16) };
}
