import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { claimPath } from '../support/browser-agent.js';
import { GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import type { Harness } from '../support/harness.js';
import { describeWithBrowser, expectErrorSummary, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

describeWithBrowser('a person claims an account in a real browser', () => {
  let b: BrowserHarness;
  let h: Harness;
  let origin: string;
  let browser: Browser;
  const shot = screenshots('claim-by-link');

  beforeAll(async () => {
    b = await startBrowserHarness();
    ({ h, origin, browser } = b);
  });

  afterAll(() => b?.close());

  it('opens the link, accepts the terms, fills the profile with a picture, sets a password, picks groups and lands signed in', async () => {
    const invited = await invite(h.runtime, 'browser@example.com', 'Bea Browser');
    const picture = join(h.dataDir, 'me.png');
    writeFileSync(picture, await sharp({ create: { width: 400, height: 300, channels: 3, background: '#3a7' } }).png().toBuffer());
    const page = await browser.newPage();

    await page.goto(origin + claimPath(invited.claimUrl));
    await shot(page, '01-claim-link');
    await page.getByRole('button', { name: 'Start' }).click();

    await page.waitForURL('**/claim/flow/terms');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectErrorSummary(page, 'Accept the terms of use to continue.');
    await shot(page, '02-terms-error');
    await page.getByLabel(/I have read and accept the terms of use/).check();
    await shot(page, '03-terms');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL('**/claim/flow/profile');
    expect(await page.getByLabel(/Full name/).inputValue()).toBe('Bea Browser');
    await page.getByLabel(/Job title/).fill('Field engineer');
    await page.getByLabel(/Profile picture/).setInputFiles(picture);
    await shot(page, '04-profile');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL('**/claim/flow/password');
    await page.getByLabel(/New password/).fill('short');
    await page.getByLabel(/Type the password again/).fill('short');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectErrorSummary(page, 'Use at least 12 characters.');
    await shot(page, '05-password-error');
    await page.getByLabel(/New password/).fill(GOOD_PASSWORD);
    await page.getByLabel(/Type the password again/).fill(GOOD_PASSWORD);
    await shot(page, '06-password');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL('**/claim/flow/groups');
    await page.getByLabel('Engineering').check();
    await page.getByLabel('Social').check();
    await shot(page, '07-groups');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${origin}/`);
    await shot(page, '08-signed-in');
    const facts = await page.locator('.facts').innerText();
    expect(facts).toContain('Bea Browser');
    expect(facts).toContain('Field engineer');
    expect(facts).toContain('Engineering, Social');
    const avatarWidth = await page.locator('img.avatar').evaluate((img: HTMLImageElement) => img.naturalWidth);
    expect(avatarWidth).toBe(256);

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.waitForURL('**/login**');
    await shot(page, '09-signed-out');
    await page.close();
  });

  it('moves through the sign-in form with the keyboard in a sensible order', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/login`);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.id || el?.textContent?.trim() || el?.tagName || '';
      }));
    }
    expect(order).toEqual(['Skip to main content', 'identifier', 'password', 'Sign in', 'Forgot your password?', 'I have an access code']);
    await page.close();
  });
});
