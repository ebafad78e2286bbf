import type { Browser } from 'playwright-core';
import { signedInMember } from '../support/admin.js';
import { GOOD_PASSWORD } from '../support/claim-walk.js';
import { describeWithBrowser, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import type { Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';
import { allowForProcesses } from '../support/timeouts.js';

allowForProcesses();

const CSV = [
  'Email,Employee ID,First name,Last name,Job Title,Department,Location,Locale,Manager Email,Login Method,Start Date',
  'grace@corp.example,,Grace,Hopper,Admiral,Navy,Arlington,en-US,,password,2026-12-01',
  ',FLOOR-9,Frank,Floor,Picker,Warehouse,Leeds,en-GB,,password,',
  'broken-email,,Bad,Row,,,,,,,',
].join('\r\n');

describeWithBrowser('an admin imports people and exports claim links, without JavaScript', () => {
  let b: BrowserHarness;
  let h: Harness;
  let browser: Browser;
  const shot = screenshots('admin-import');

  beforeAll(async () => {
    b = await startBrowserHarness({}, { workers: true });
    ({ h, browser } = b);
    await signedInMember(h, 'admin@example.com', 'Ada Admin');
  });

  afterAll(() => b?.close());

  it('signs in, previews a CSV, imports and invites, finds a person, and asks for the export', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${b.origin}/login`);
    await page.getByLabel(/Email or username/).fill('admin@example.com');
    await page.getByLabel(/Password/).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.waitForURL('**/admin/people');
    await shot(page, '01-people');

    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Import' }).click();
    await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForURL('**/admin/import');
    await shot(page, '02-preview');
    expect(await page.locator('.lead').innerText()).toContain('3 rows. 2 valid, 0 incomplete, 1 invalid.');
    expect(await page.getByRole('table', { name: 'Rows that will be skipped' }).innerText()).toContain('4');
    await page.getByLabel(/^Now/).check();
    await page.getByRole('button', { name: 'Import 2 valid rows' }).click();
    await shot(page, '03-imported');
    expect(await page.locator('.lead').innerText()).toContain('2 created');
    expect(mailsTo(h.dataDir, 'grace@corp.example')).toHaveLength(1);

    await page.getByRole('link', { name: 'See people' }).click();
    await page.getByLabel('Search').fill('floor-9');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('link', { name: 'Frank Floor' }).click();
    await shot(page, '04-member');
    await page.getByRole('button', { name: 'Issue a new access code' }).click();
    expect(await page.locator('.secret').innerText()).toMatch(/^[A-Z]{4}-[A-Z]{4}-[A-Z]{4}-[A-Z]{4}$/);
    await shot(page, '05-code');

    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Export' }).click();
    await page.getByLabel('Status').selectOption('invited');
    await page.getByRole('button', { name: 'Export' }).click();
    await page.waitForURL('**/admin/export?requested=1');
    expect(await page.getByRole('status').innerText()).toContain('Export requested. You will get an email');
    await shot(page, '06-export-requested');
    await context.close();
  });
});
