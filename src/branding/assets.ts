import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.js';
import { readLogo, type Logo } from './logo.js';

export interface BrandAsset {
  path: string;
  bytes: Buffer;
  contentType: string;
}

/** What branding adds to every page, read once at start. */
export interface BrandAssets {
  name: string;
  supportContact: string | undefined;
  logo: BrandAsset | undefined;
  /** The primary colour and the operator's CSS, one stylesheet after claimgate's own. */
  stylesheet: BrandAsset | undefined;
}

const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** A darker shade of the colour for hover states. */
function darker(hex: string): string {
  return `#${[1, 3, 5].map((at) => Math.round(parseInt(hex.slice(at, at + 2), 16) * 0.8).toString(16).padStart(2, '0')).join('')}`;
}

const LOGO_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/svg+xml': 'svg' };

export function loadBrandAssets(config: Config): BrandAssets {
  const { name, logo, primaryColor, supportContact, css } = config.branding;
  let logoAsset: BrandAsset | undefined;
  if (logo) {
    const read: Logo = readLogo(logo);
    logoAsset = { path: `/_claimgate/brand/logo-${read.hash}.${LOGO_EXTENSIONS[read.contentType]}`, bytes: read.bytes, contentType: read.contentType };
  }
  const parts: string[] = [];
  if (primaryColor) parts.push(`:root { --accent: ${primaryColor}; --accent-dark: ${darker(primaryColor)}; }\n`);
  if (css) parts.push(readFileSync(resolve(css), 'utf8'));
  const styles = parts.length ? Buffer.from(parts.join('\n')) : undefined;
  return {
    name,
    supportContact,
    logo: logoAsset,
    stylesheet: styles ? { path: `/_claimgate/brand/style-${hashOf(styles)}.css`, bytes: styles, contentType: 'text/css; charset=utf-8' } : undefined,
  };
}
