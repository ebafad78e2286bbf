import type { Browser } from 'playwright-core';
import { inviteByEmployeeId } from '../../src/members/invite-employee.js';
import { GOOD_PASSWORD } from '../support/claim-walk.js';
import { describeWithBrowser, expectErrorSummary, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import type { Harness } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

describeWithBrowser('a person without email claims with a printed access code', () => {
  let b: BrowserHarness;
  let h: Harness;
  let browser: Browser;
  const shot = screenshots('claim-by-code');

  beforeAll(async () => {
    b = await startBrowserHarness({ firstAccess: { profile: { picture: 'off' } } });
    ({ h, browser } = b);
  });

  afterAll(() => b?.close());

  it('types the code on a fresh browser, picks a username and password, completes every step, and signs in again the next day', async () => {
    const invited = await inviteByEmployeeId(h.runtime, { employeeId: 'W-1042', name: 'Wren Warehouse', actorId: 'test' });
    const page = await browser.newPage();
    await page.goto(`${b.origin}/login`);
    await page.getByRole('link', { name: 'I have an access code' }).click();
    await page.waitForURL('**/claim/code');

    await page.getByLabel(/Employee ID/).fill('w-1042');
    await page.getByLabel(/Access code/).fill('ABCD-EFGH-JKMN-PQRS');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectErrorSummary(page, 'The employee ID or access code is not right');
    await shot(page, '01-wrong-code');

    // As typed from the printed letter: lower case, spaces instead of dashes.
    await page.getByLabel(/Access code/).fill(invited.accessCode.toLowerCase().replace(/-/g, ' '));
    await shot(page, '02-code');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL('**/claim/flow/username');
    await page.getByLabel(/Username/).fill('wren');
    await shot(page, '03-username');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL('**/claim/flow/terms');
    await page.getByLabel(/I have read and accept/).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/claim/flow/profile');
    expect(await page.getByLabel(/Full name/).inputValue()).toBe('Wren Warehouse');
    await shot(page, '04-profile');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/claim/flow/password');
    await page.getByLabel(/New password/).fill(GOOD_PASSWORD);
    await page.getByLabel(/Type the password again/).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL('**/claim/flow/groups');
    await page.getByLabel('London office').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${b.origin}/`);
    await shot(page, '05-signed-in');
    expect(await page.locator('.facts').innerText()).toContain('wren');
    await page.close();

    const nextDay = await browser.newContext();
    const again = await nextDay.newPage();
    await again.goto(`${b.origin}/login`);
    await again.getByLabel(/Email or username/).fill('Wren');
    await again.getByLabel(/Password/).fill(GOOD_PASSWORD);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.waitForURL(`${b.origin}/`);
    await shot(again, '06-next-day');
    expect(await again.locator('.facts').innerText()).toContain('Wren Warehouse');
    await nextDay.close();
  });
});
