import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { contrastRatio } from '../../src/branding/contrast.js';
import { logoType } from '../../src/branding/logo.js';
import { createMessages } from '../../src/i18n/messages.js';

const dir = mkdtempSync(join(tmpdir(), 'claimgate-branding-'));

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseConfig({ baseUrl: 'http://x.test', ...raw }, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('branding checked at config check', () => {
  it('refuses a primary colour below WCAG AA against white, and accepts one above', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 0);
    expect(problemsOf({ branding: { primaryColor: '#7fb3ff' } })).toEqual([expect.stringMatching(/^branding\.primaryColor: #7fb3ff has a contrast of 2\.\d\d:1 with white, below the 4\.5:1/)]);
    expect(problemsOf({ branding: { primaryColor: '#0b5394' } })).toEqual([]);
    expect(problemsOf({ branding: { primaryColor: 'blue' } })).toEqual([expect.stringMatching(/^branding\.primaryColor: use a colour written #rrggbb/)]);
  });

  // Stored XSS through the logo: an SVG opened on its own runs in claimgate's origin.
  it('takes a logo only when its bytes are an image, and no SVG that could run script', () => {
    expect(logoType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toEqual({ contentType: 'image/png' });
    expect(logoType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'))).toEqual({ contentType: 'image/svg+xml' });
    expect(logoType(Buffer.from('<svg onload="alert(1)"></svg>'))).toHaveProperty('problem');
    expect(logoType(Buffer.from('<svg><script>alert(1)</script></svg>'))).toHaveProperty('problem');
    expect(logoType(Buffer.from('<html><body>not a logo</body></html>'))).toHaveProperty('problem');
    const fake = join(dir, 'logo.png');
    writeFileSync(fake, '<?php echo "hi"; ?>');
    expect(problemsOf({ branding: { logo: fake } })).toEqual([`branding.logo: "${fake}" is not a PNG, JPEG, GIF, WebP or SVG image`]);
    expect(problemsOf({ branding: { logo: join(dir, 'missing.svg') } })).toEqual([`branding.logo: cannot read file "${join(dir, 'missing.svg')}"`]);
  });
});

describe('message overrides', () => {
  it('replace the shipped message in one language and leave the others', () => {
    const overrides = join(dir, 'messages-ok');
    mkdirSync(join(overrides, 'fr'), { recursive: true });
    writeFileSync(join(overrides, 'fr', 'login.json'), JSON.stringify({ title: 'Connexion à l’intranet' }));
    const config = parseConfig({ baseUrl: 'http://x.test', i18n: { overrides } }, 'test', {});
    const messages = createMessages(config);
    expect(messages.forLocale('fr')('login.title')).toBe('Connexion à l’intranet');
    expect(messages.forLocale('fr')('login.password')).toBe('Mot de passe');
    expect(messages.forLocale('de')('login.title')).toBe('Anmelden');
  });

  // A typo in an override would silently show the shipped text; a foreign placeholder could print another value.
  it('are checked: unknown language, unknown key, foreign placeholder, bad JSON, missing folder', () => {
    const overrides = join(dir, 'messages-bad');
    mkdirSync(join(overrides, 'fr'), { recursive: true });
    mkdirSync(join(overrides, 'klingon'), { recursive: true });
    mkdirSync(join(overrides, 'de'), { recursive: true });
    writeFileSync(join(overrides, 'fr', 'login.json'), JSON.stringify({ titel: 'x', signIn: 'Entrer {{password}}' }));
    writeFileSync(join(overrides, 'de', 'login.json'), '{ not json');
    const problems = problemsOf({ i18n: { overrides } });
    expect(problems).toEqual(expect.arrayContaining([
      'i18n.overrides: "klingon" is not a language claimgate speaks',
      'i18n.overrides: fr: "login.titel" is not a key English has',
      'i18n.overrides: fr: "login.signIn" has the placeholder {{password}}, which English lacks',
      expect.stringMatching(/^i18n\.overrides: de: /),
    ]));
    expect(problemsOf({ i18n: { overrides: join(dir, 'nowhere') } })).toEqual([`i18n.overrides: "${join(dir, 'nowhere')}" is not a folder`]);
  });
});
