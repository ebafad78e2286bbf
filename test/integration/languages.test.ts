import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { csrfFrom, newAgent } from '../support/browser-agent.js';
import { signedInMember } from '../support/admin.js';
import { acceptTerms, pickGroups, setPassword, startClaim, submitProfile } from '../support/claim-walk.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { importMembers } from '../../src/import/import-members.js';
import { inviteByEmail } from '../../src/members/invite.js';

let h: Harness;
let logoPath = '';

/** A mail's decoded subject line (nodemailer writes non-ASCII subjects as RFC 2047 words). */
function subjectOf(mail: string): string {
  const line = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(mail)![1]!;
  return line.replace(/\r?\n[ \t]/g, ' ').replace(/=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'));
}

/** The text part of a mail, quoted-printable or base64 undone. */
function textOf(mail: string): string {
  const part = /Content-Type: text\/plain[^]*?\r?\n\r?\n([^]*?)(?:\r?\n--|$)/i.exec(mail)?.[1] ?? '';
  return /Content-Transfer-Encoding: base64/i.test(mail.slice(mail.indexOf('text/plain'), mail.indexOf('text/plain') + 200)) ? Buffer.from(part.replace(/\s+/g, ''), 'base64').toString('utf8') : Buffer.from(part, 'latin1').toString('utf8');
}

beforeAll(async () => {
  const dir = join(process.cwd(), 'test-output', `languages-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  logoPath = join(dir, 'logo.png');
  writeFileSync(logoPath, await sharp({ create: { width: 64, height: 32, channels: 3, background: '#0b5394' } }).png().toBuffer());
  const frenchTerms = join(dir, 'terms.fr.md');
  writeFileSync(frenchTerms, '# Conditions d’utilisation\n\nVous respectez les règles de l’entrepôt.\n');
  h = await startHarness({
    branding: { name: 'Acme Logistique', logo: logoPath, primaryColor: '#0b5394', supportContact: 'aide@acme.example' },
    firstAccess: { terms: { files: { fr: frenchTerms } } },
  });
});
afterAll(() => h.close());

describe('the language of every page', () => {
  it('follows Accept-Language, then the picked language, and says so in lang, dir and Content-Language', async () => {
    const german = await newAgent(h.app).get('/login').set('Accept-Language', 'de-CH, en;q=0.5').expect(200);
    expect(german.text).toContain('<html lang="de" dir="ltr">');
    expect(german.text).toContain('Anmelden');
    expect(german.headers['content-language']).toBe('de');

    const agent = newAgent(h.app);
    const picked = await agent.get('/_claimgate/language?lng=ar&returnTo=%2Flogin').expect(303);
    expect(picked.headers.location).toBe('/login');
    expect(String(picked.headers['set-cookie'])).toMatch(/claimgate_lang=ar;.*HttpOnly/i);
    const arabic = await agent.get('/login').set('Accept-Language', 'de').expect(200);
    expect(arabic.text).toContain('<html lang="ar" dir="rtl">');
    expect(arabic.text).toContain('تسجيل الدخول');

    const fallback = await newAgent(h.app).get('/login').set('Accept-Language', 'nl, tlh').expect(200);
    expect(fallback.text).toContain('<html lang="en" dir="ltr">');
  });

  // Open redirect: a switcher link that sends the member to another site after setting the cookie.
  it('the switcher follows only a path on this site, and stores only a shipped language', async () => {
    for (const target of ['//evil.example/login', 'https://evil.example/', '/\\evil.example', '/%2F%2Fevil.example']) {
      const res = await newAgent(h.app).get(`/_claimgate/language?lng=fr&returnTo=${encodeURIComponent(target)}`).expect(303);
      expect(res.headers.location).toBe('/login');
    }
    const bogus = await newAgent(h.app).get('/_claimgate/language?lng=%3Cscript%3E&returnTo=%2Flogin').expect(303);
    expect(bogus.headers['set-cookie']).toBeUndefined();
    // A forged cookie value is only a preference: anything claimgate does not speak is ignored.
    const forged = await newAgent(h.app).get('/login').set('Cookie', 'claimgate_lang=%3Cscript%3E').set('Accept-Language', 'es').expect(200);
    expect(forged.text).toContain('<html lang="es"');
    expect(forged.text).not.toContain('<script>');
  });

  it('a claim link opens in the member\'s stored language, whatever the browser says', async () => {
    const csv = Buffer.from('Email,First name,Last name,Locale\nlea.martin@lyon.example,Léa,Martin,fr-FR\n');
    await importMembers(h.runtime, csv, { actorId: 'test', maxBytes: h.config.imports.maxBytes, invite: 'now' });
    const [mail] = mailsTo(h.dataDir, 'lea.martin@lyon.example');
    // The mail: French, under the organisation's name.
    expect(subjectOf(mail!)).toBe('Invitation : activez votre compte Acme Logistique');
    const text = textOf(mail!);
    expect(text).toContain('Bonjour Léa Martin,');
    expect(text).toContain('Vous êtes invité à activer votre compte Acme Logistique.');
    expect(text).toMatch(/Le lien est valable jusqu'au \d{1,2} \S+ \d{4}/);
    expect(mail).toContain('<html lang="fr" dir="ltr">');
    const url = /(http:\/\/claimgate\.test\/claim\/[A-Za-z0-9_-]+)/.exec(text)![1]!;

    const agent = newAgent(h.app);
    const start = await agent.get(new URL(url).pathname).set('Accept-Language', 'de').expect(200);
    expect(start.text).toContain('<html lang="fr" dir="ltr">');
    expect(start.text).toContain('Activer votre compte');
    expect(start.text).toContain('Acme Logistique');

    // Terms per locale: the French text of the same version, and the accepted locale recorded as the one shown.
    await startClaim(agent, url);
    const terms = await agent.get('/claim/flow/terms').set('Accept-Language', 'de').expect(200);
    expect(terms.text).toContain('Vous respectez les règles de l’entrepôt.');
    expect(terms.text).toContain('lang="fr"');
    const missing = await agent.post('/claim/flow/terms').type('form').send({ _csrf: csrfFrom(terms.text) }).expect(400);
    expect(missing.text).toContain('Acceptez les conditions d&#39;utilisation pour continuer.');
    await acceptTerms(agent);
    await submitProfile(agent, { name: 'Léa Martin' });
    const profileRetry = await agent.post('/claim/flow/password').type('form').send({ _csrf: csrfFrom((await agent.get('/claim/flow/password').expect(200)).text), password: 'short', confirm: 'short' }).expect(400);
    expect(profileRetry.text).toContain('Utilisez au moins 12 caractères.');
    await setPassword(agent);
    await pickGroups(agent, 1);
    const member = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.Member, { email: 'lea.martin@lyon.example' });
    const acceptance = await h.runtime.db.source.manager.findOneByOrFail(h.runtime.db.entities.TermsAcceptance, { memberId: member.id });
    expect(acceptance.locale).toBe('fr');
  });

  it('a member without a file in their language sees the default terms', async () => {
    const invited = await inviteByEmail(h.runtime, { email: 'kenji@example.com', name: 'Kenji', actorId: 'test' });
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id: invited.id }, { locale: 'ja-JP' });
    const agent = newAgent(h.app);
    await startClaim(agent, invited.claimUrl);
    const terms = await agent.get('/claim/flow/terms').expect(200);
    expect(terms.text).toContain('<html lang="ja" dir="ltr">');
    expect(terms.text).toContain('利用規約');
    expect(terms.text).not.toContain('Vous respectez');
  });
});

describe('error pages in the member\'s terms', () => {
  it('say what happened, in the reader\'s language, with the support contact', async () => {
    const german = await newAgent(h.app).get('/claim/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').set('Accept-Language', 'de').expect(404);
    expect(german.text).toContain('Dieser Link kann nicht verwendet werden');
    expect(german.text).toContain('aide@acme.example');
    expect(german.text).not.toContain('Something is not right');
    const missing = await newAgent(h.app).get('/_claimgate/nothing-here').set('Accept-Language', 'ja').expect(404);
    expect(missing.text).toContain('ページが見つかりません');
    const json = await newAgent(h.app).get('/_claimgate/nothing-here').set('Accept', 'application/json').set('Accept-Language', 'fr').expect(404);
    expect(json.body.error).toMatchObject({ code: 'not_found', message: 'Il n\'y a rien à cette adresse.' });
  });

  // Information disclosure: an employee who wanders into /admin learns nothing about how claimgate is configured.
  it('the admin area\'s 403 page speaks to an employee, not of configuration keys', async () => {
    const member = await signedInMember(h, 'employee@example.com', 'Erin Employee');
    const page = await member.agent.get('/admin/people').expect(403);
    expect(page.text).toContain('This page is for administrators');
    expect(page.text).not.toMatch(/`admins`|configuration|claimgate starts/);
  });
});

describe('branding', () => {
  it('names the organisation in the header and title, and serves its logo and colour with a long cache', async () => {
    const page = await newAgent(h.app).get('/login').expect(200);
    expect(page.text).toContain('<title>Sign in – Acme Logistique</title>');
    const logo = /<img src="(\/_claimgate\/brand\/logo-[0-9a-f]{16}\.png)"/.exec(page.text)![1]!;
    const served = await newAgent(h.app).get(logo).expect(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = /<link rel="stylesheet" href="(\/_claimgate\/brand\/style-[0-9a-f]{16}\.css)">/.exec(page.text)![1]!;
    expect((await newAgent(h.app).get(css).expect(200)).text).toContain('--accent: #0b5394');
  });
});
