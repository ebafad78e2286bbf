import type { Browser } from 'playwright-core';
import { newAgent } from '../support/browser-agent.js';
import { claimAll, GOOD_PASSWORD, invite } from '../support/claim-walk.js';
import { describeWithBrowser, screenshots, startBrowserHarness, type BrowserHarness } from '../support/chromium.js';
import type { Harness } from '../support/harness.js';
import { allowForProcesses } from '../support/timeouts.js';
import { startUpstream } from '../support/upstream.js';
import { deactivateMember } from '../../src/members/deactivate.js';

allowForProcesses();

describeWithBrowser('a member deactivated while using the app, in a real browser', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let b: BrowserHarness;
  let h: Harness;
  let browser: Browser;
  const shot = screenshots('deactivated-member');

  beforeAll(async () => {
    upstream = await startUpstream();
    b = await startBrowserHarness({ upstream: { url: upstream.url, landingPath: '/app' } });
    ({ h, browser } = b);
  });
  afterAll(async () => {
    await b?.close();
    await upstream?.close();
  });

  async function signedInPage(email: string) {
    const invited = await invite(h.runtime, email);
    await claimAll(newAgent(h.app), invited.claimUrl);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${b.origin}/app/reports`);
    await page.getByLabel(/Email or username/).fill(email);
    await page.getByLabel(/Password/).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${b.origin}/app/reports`);
    return { page, id: invited.id, context };
  }

  // Defect seen by new users: ERR_TOO_MANY_REDIRECTS between the gateway and /login for a deactivated member.
  it('shows a page saying the account is deactivated, not a redirect loop', async () => {
    const { page, id, context } = await signedInPage('browser-loop@example.com');
    // Deactivated behind the session index's back (a status written straight to the database).
    await h.runtime.db.source.manager.update(h.runtime.db.entities.Member, { id }, { status: 'deactivated' });
    h.runtime.identities.forget(id);
    const answer = await page.goto(`${b.origin}/app/reports`);
    expect(answer!.status()).toBe(403);
    await shot(page, '01-deactivated');
    expect(await page.locator('main').innerText()).toContain('This account has been deactivated');
    const next = await page.goto(`${b.origin}/app/reports`);
    expect(next!.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in');
    await context.close();
  });

  // Attack: a departed employee keeping the app open in a tab.
  it('after an admin deactivates the member, the next click lands on the sign-in page', async () => {
    const { page, id, context } = await signedInPage('browser-deactivated@example.com');
    await deactivateMember(h.runtime, id, 'test');
    await page.goto(`${b.origin}/app/reports`);
    await page.waitForURL('**/login?returnTo=**');
    await page.getByLabel(/Email or username/).fill('browser-deactivated@example.com');
    await page.getByLabel(/Password/).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shot(page, '02-sign-in-refused');
    expect(await page.getByRole('alert').innerText()).toContain('The email, username or password is not right.');
    await context.close();
  });
});
