import type { Browser, Page } from 'playwright-core';
import { claimPath } from '../support/browser-agent.js';
import { GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import type { Harness } from '../support/harness.js';
import { describeWithBrowser, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import { allowForProcesses } from '../support/timeouts.js';
import { flatten, shippedCatalogues } from '../../src/i18n/catalogues.js';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { issueRecoveryLink, recoveryUrl } from '../../src/recovery/links.js';
import type { Locale } from '../../src/i18n/locales.js';

allowForProcesses();

const catalogues = shippedCatalogues();
const english = flatten(catalogues.en);

/**
 * The English sentences a page in `locale` must not show: every English message (split at its placeholders) that the
 * locale's catalogue words differently, long enough not to match a name or a code by chance.
 */
function englishFragments(locale: Locale): string[] {
  const own = flatten(catalogues[locale]);
  return [...english]
    .filter(([key, text]) => own.get(key) !== text)
    .flatMap(([, text]) => text.split(/\{\{[^}]*\}\}/))
    .map((fragment) => fragment.trim())
    .filter((fragment) => fragment.length >= 12 && /[a-z]{3}/i.test(fragment));
}

describeWithBrowser('member pages in English, German and Arabic', () => {
  let b: BrowserHarness;
  let h: Harness;
  let origin: string;
  let browser: Browser;
  const shot = screenshots('languages');

  beforeAll(async () => {
    b = await startBrowserHarness();
    ({ h, origin, browser } = b);
  });
  afterAll(() => b?.close());

  async function check(page: Page, locale: Locale, name: string): Promise<void> {
    await shot(page, `${locale}-${name}`);
    expect({ name, lang: await page.getAttribute('html', 'lang'), dir: await page.getAttribute('html', 'dir') })
      .toEqual({ name, lang: locale, dir: locale === 'ar' ? 'rtl' : 'ltr' });
    if (locale === 'en') return;
    // Untranslated text: an English sentence left in a German or Arabic page.
    const text = await page.locator('body').innerText();
    const leaks = englishFragments(locale).filter((fragment) => text.includes(fragment));
    expect({ name, leaks }).toEqual({ name, leaks: [] });
  }

  it.each([['en', 'en-GB'], ['de', 'de-DE'], ['ar', 'ar-EG']] as Array<[Locale, string]>)('%s: sign-in, access code, every claim step, home, account pages, password recovery and an error page', async (locale, browserLocale) => {
    const context = await browser.newContext({ locale: browserLocale });
    const page = await context.newPage();

    await page.goto(`${origin}/login`);
    await check(page, locale, '01-login');
    await page.locator('button[type=submit]').first().click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '02-login-error');

    await inviteByEmployeeId(h.runtime, { employeeId: `LANG-${locale}`, name: 'Code Person', actorId: 'test' });
    await page.goto(`${origin}/claim/code`);
    await page.fill('#employeeId', `LANG-${locale}`);
    await page.fill('#code', 'AAAA-BBBB-CCCC-DDDD');
    await page.locator('form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '03-access-code-error');

    const invited = await invite(h.runtime, `lang-${locale}@example.com`, 'Nour Example');
    await page.goto(origin + claimPath(invited.claimUrl));
    await check(page, locale, '04-claim-start');
    await page.locator('main form button[type=submit]').click();

    await page.waitForURL('**/claim/flow/terms');
    await page.locator('main form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '05-terms-error');
    await page.check('#accept');
    await page.locator('main form button[type=submit]').click();

    await page.waitForURL('**/claim/flow/profile');
    await page.fill('#name', '');
    await page.locator('main form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '06-profile-error');
    await page.fill('#name', 'Nour Example');
    await page.locator('main form button[type=submit]').click();

    await page.waitForURL('**/claim/flow/password');
    await page.fill('#password', 'short');
    await page.fill('#confirm', 'short');
    await page.locator('main form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '07-password-error');
    await page.fill('#password', GOOD_PASSWORD);
    await page.fill('#confirm', GOOD_PASSWORD);
    await page.locator('main form button[type=submit]').click();

    await page.waitForURL('**/claim/flow/groups');
    await page.locator('button[value=continue]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '08-groups-error');
    await page.check('#groups');
    await page.locator('button[value=continue]').click();

    await page.waitForURL(`${origin}/`);
    await check(page, locale, '09-home');

    await page.goto(`${origin}/claim/flow/nowhere`);
    await check(page, locale, '10-error');

    await page.goto(`${origin}/_claimgate/account/sessions`);
    await check(page, locale, '11-account-sessions');

    await page.goto(`${origin}/_claimgate/account/password`);
    await page.fill('#current', 'not the password');
    await page.fill('#password', 'short');
    await page.fill('#confirm', 'short');
    await page.locator('main form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '12-change-password-error');

    const { runtime } = h;
    const link = await runtime.db.transaction((manager) => issueRecoveryLink(runtime.db, manager, invited.id, runtime.config.recovery.linkTtl, runtime.now()));
    await page.goto(origin + new URL(recoveryUrl(runtime.config.baseUrl, runtime.keys.recoveryLink, link.id)).pathname);
    await check(page, locale, '13-recovery-password');
    await page.fill('#password', 'short');
    await page.fill('#confirm', 'short');
    await page.locator('main form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '14-recovery-password-error');

    await page.goto(`${origin}/recover`);
    await check(page, locale, '15-forgot-password');
    await page.locator('main form button[type=submit]').click();
    await page.locator('[role=alert]').waitFor();
    await check(page, locale, '16-forgot-password-error');
    await page.fill('#email', `lang-${locale}@example.com`);
    await page.locator('main form button[type=submit]').click();
    await page.locator('main [role=status]').waitFor();
    await check(page, locale, '17-forgot-password-sent');
    await context.close();
  });

  it('the switcher works without JavaScript and is remembered', async () => {
    const context = await browser.newContext({ locale: 'en-US', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await page.locator('nav.languages a[lang=ar]').click();
    await page.waitForURL('**/login');
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    // Mirrored: the header's brand and the form's labels start on the right in a right-to-left page.
    const width = page.viewportSize()!.width;
    const brand = await page.locator('.brand').boundingBox();
    expect(brand!.x).toBeGreaterThan(width / 2);
    expect(await page.locator('main').evaluate((main) => getComputedStyle(main).direction)).toBe('rtl');
    // The button sits at the start of the line, which is the right in Arabic.
    const main = await page.locator('main').boundingBox();
    const button = await page.locator('main form button[type=submit]').boundingBox();
    expect(button!.x + button!.width).toBeGreaterThan(main!.x + main!.width / 2);
    await shot(page, 'ar-switched-login');
    await page.goto(`${origin}/claim/code`);
    expect(await page.getAttribute('html', 'lang')).toBe('ar');
    await context.close();
  });
});
